//! The search index of `serve`, built off the edit path.
//!
//! After a quiet moment the main loop hands the index build to a worker
//! thread and goes back to watching files. An edit cancels the worker (it
//! stops at its next check, within a few hundred posts) and is rendered at
//! once; the index is started again after the next quiet moment. The build
//! runs in a one-thread pool of its own, so that it never holds up the
//! render's parallel work. A result is installed only if no post changed
//! since its job was taken
//! ([`super::preview::Preview::install_search`]).

use crate::archive::search::index::{Files, IndexJob};
use crate::archive::search::Stats;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::Arc;

/// What a finished worker hands back: the generation, and the files and
/// figures (`None` when cancelled).
pub(crate) type Built = (u64, anyhow::Result<Option<(Files, Stats)>>);

/// A running index build.
pub(crate) struct SearchWorker {
    cancel: Arc<AtomicBool>,
    done: Receiver<Built>,
}

impl SearchWorker {
    /// Starts building `job` (of render generation `gen`) on a new thread.
    pub(crate) fn start(gen: u64, job: IndexJob) -> SearchWorker {
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, done) = channel();
        let flag = Arc::clone(&cancel);
        std::thread::spawn(move || {
            // A pool of its own, of one thread: the build's parallel work
            // never queues ahead of a render's in the global pool, and a
            // core stays free for the next save.
            let built = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                Ok(pool) => pool.install(|| job.run(&flag)),
                Err(_) => job.run(&flag),
            };
            let _ = tx.send((gen, built));
        });
        SearchWorker { cancel, done }
    }

    /// Asks the worker to stop; it finishes its current step and exits.
    pub(crate) fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The result, once the worker is done (or gone).
    pub(crate) fn poll(&self) -> Option<Built> {
        match self.done.try_recv() {
            Ok(b) => Some(b),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some((0, Err(anyhow::anyhow!("the search index worker stopped"))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::search::Doc;
    use crate::core::config::Lang;

    fn job(n: usize) -> IndexJob {
        IndexJob {
            docs: (0..n)
                .map(|i| Doc {
                    url: format!("d{i}"),
                    title: format!("标题{i}"),
                    text: "私域流量和复购。".repeat(50),
                    kind: "brief".into(),
                    column: "c".into(),
                    ..Doc::default()
                })
                .collect(),
            columns: Vec::new(),
            lang: Lang::ZhCn,
            hidden: Vec::new(),
        }
    }

    fn wait(w: &SearchWorker) -> Built {
        loop {
            if let Some(b) = w.poll() {
                return b;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn builds_on_another_thread() {
        let w = SearchWorker::start(7, job(20));
        let (gen, r) = wait(&w);
        assert_eq!(gen, 7);
        let (files, stats) = r.unwrap().unwrap();
        assert_eq!(stats.docs, 20);
        assert!(files.iter().any(|(p, _)| p == "index.js"));
    }

    #[test]
    fn a_cancelled_build_returns_nothing() {
        let w = SearchWorker::start(3, job(3000));
        w.cancel();
        let (_, r) = wait(&w);
        assert!(r.unwrap().is_none());
    }
}
