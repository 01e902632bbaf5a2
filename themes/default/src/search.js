/* 群书 qunshu search box.
 *
 * The query engine here is the twin of src/search/query.rs: the same
 * normalisation table (shipped in the index), the same terms, shard hash,
 * decoding, position checks and ranking, so the box and `qunshu search`
 * return the same posts in the same order (tests/browser_search.rs checks).
 *
 * Every index entry is a statement $qs(key, data) in a pack
 * file, so the archive searches the same way from a web server (which
 * sends just the entry, by Range) and from file:// (where browsers refuse
 * fetch, and the pack is run as a script). Only the shards a query needs
 * are loaded, and only the entries of the results shown.
 */
(function () {
  'use strict';
  var Q = (window.qunshuSearch = window.qunshuSearch || {});
  var store = Object.create(null);

  Q.load = function (key, data) {
    store[key] = data;
  };
  /* What the index's statements call (pack.rs CALL): short, as there is
   * one statement per shard and per block of text. */
  window.$qs = Q.load;

  /* Index entries live in pack files (src/search/pack.rs); the manifest
   * says where each is (file, byte offset, length). Over HTTP an entry is
   * fetched alone with a Range request; a server that ignores Range sends
   * the whole pack, whose statements are all stored. From file://, where
   * fetch is refused, the pack is loaded as a script. */
  var PREFIX = '$qs(';
  function parseStatement(line) {
    line = line.replace(/\s+$/, '');
    if (line.slice(0, PREFIX.length) !== PREFIX || line.slice(-2) !== ');') return null;
    try {
      var a = JSON.parse('[' + line.slice(PREFIX.length, -2) + ']');
      return a.length === 2 && typeof a[0] === 'string' ? a : null;
    } catch (e) { return null; }
  }
  function loader(base, locate) {
    var scripts = Object.create(null), wholes = Object.create(null);
    var mode = window.location.protocol === 'file:' ? 'script' : 'range';
    function script(file) {
      if (!scripts[file]) {
        scripts[file] = new Promise(function (resolve, reject) {
          var s = document.createElement('script');
          s.src = base + file;
          s.async = true;
          s.onerror = function () { delete scripts[file]; reject(new Error('cannot load ' + s.src)); };
          s.onload = function () { s.remove(); resolve(); };
          document.head.appendChild(s);
        });
      }
      return scripts[file];
    }
    function storeAll(text) {
      text.split('\n').forEach(function (line) {
        var e = parseStatement(line);
        if (e && !(e[0] in store)) Q.load(e[0], e[1]);
      });
    }
    function whole(file) {
      if (!wholes[file]) {
        wholes[file] = fetch(base + file).then(function (r) {
          if (!r.ok) throw new Error('cannot load ' + base + file);
          return r.text();
        }).then(storeAll);
        wholes[file].catch(function () { delete wholes[file]; });
      }
      return wholes[file];
    }
    function range(key, spot) {
      return fetch(base + spot.file, { headers: { Range: 'bytes=' + spot.off + '-' + (spot.off + spot.len - 1) } }).then(function (r) {
        if (r.status === 206) {
          return r.text().then(function (t) {
            var e = parseStatement(t);
            if (!e || e[0] !== key) throw new Error('bad range');
            if (!(key in store)) Q.load(key, e[1]);
          });
        }
        if (r.ok) { mode = 'whole'; return r.text().then(storeAll); }
        throw new Error('cannot load ' + base + spot.file);
      });
    }
    var pending = Object.create(null);
    /* One load per key at a time: concurrent gets share it. */
    return function get(key) {
      if (key in store) return Promise.resolve(store[key]);
      if (!pending[key]) {
        pending[key] = load(key);
        var clear = function () { delete pending[key]; };
        pending[key].then(clear, clear);
      }
      return pending[key];
    };
    function load(key) {
      var spot = key === 'index' ? { file: 'index.js' } : locate(key);
      if (!spot) return Promise.reject(new Error('no index entry ' + key));
      var done = function () {
        if (key in store) return store[key];
        throw new Error('cannot load ' + key);
      };
      if (spot.off === undefined || mode === 'script') return script(spot.file).then(done);
      if (mode === 'whole') return whole(spot.file).then(done);
      return range(key, spot).catch(function () {
        // A network error (or a damaged answer): load the whole pack instead.
        mode = mode === 'range' ? 'whole' : mode;
        return whole(spot.file).catch(function () {
          mode = 'script';
          return script(spot.file);
        });
      }).then(done);
    }
  }

  /* A pack section's directory (pack.rs Section): per entry its pack,
   * offset and length; per pack where its tail starts. */
  function Section(name, dir) {
    var lens = decodeList(dir[0]), starts = decodeList(dir[1]);
    this.name = name;
    this.len = lens;
    this.pack = [];
    this.off = [];
    this.headsEnd = [];
    for (var j = 0; j < starts.length; j++) {
      var e = j + 1 < starts.length ? starts[j + 1] : lens.length, o = 0;
      for (var i = starts[j]; i < e; i++) { this.pack[i] = j; this.off[i] = o; o += lens[i]; }
      this.headsEnd[j] = o;
    }
  }
  Section.prototype.spot = function (i) {
    if (!(i >= 0 && i < this.len.length)) return null;
    return { file: 'p/' + this.name + this.pack[i] + '.js', off: this.off[i], len: this.len[i] };
  };
  /* The shard section (pack.rs ShardSection): per pack the length of its
   * own directory (its first statement, sd/<pack>) and its first shard;
   * a pack's directory, once loaded, gives the byte length of each of its
   * shards. */
  function ShardSection(dir, n) {
    this.dirLen = decodeList(dir[0]);
    this.starts = decodeList(dir[1]);
    this.n = n;
    this.lens = [];
  }
  ShardSection.prototype.packOf = function (i) {
    if (!(i >= 0 && i < this.n)) return -1;
    return bsearch(this.starts, i + 1) - 1;
  };
  ShardSection.prototype.dirSpot = function (p) {
    if (!(p >= 0 && p < this.dirLen.length)) return null;
    return { file: 'p/s' + p + '.js', off: 0, len: this.dirLen[p] };
  };
  ShardSection.prototype.spot = function (i) {
    var p = this.packOf(i), lens = this.lens[p];
    if (p < 0 || !lens) return null;
    var first = this.starts[p], end = p + 1 < this.starts.length ? this.starts[p + 1] : this.n;
    if (lens.length !== end - first) return null;
    var off = this.dirLen[p];
    for (var k = first; k < i; k++) off += lens[k - first];
    return { file: 'p/s' + p + '.js', off: off, len: lens[i - first] };
  };
  Section.prototype.tail = function (i, off, len) {
    if (!(i >= 0 && i < this.len.length) || !(len > 0)) return null;
    var p = this.pack[i];
    return { file: 'p/' + this.name + p + '.js', off: this.headsEnd[p] + off, len: len };
  };

  /* ---- bit streams (src/search/codec.rs) ---- */
  var ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var VAL = new Int8Array(128);
  for (var i = 0; i < 64; i++) VAL[ALPHA.charCodeAt(i)] = i;

  function Reader(s) { this.s = s; this.p = 0; }
  Reader.prototype.bit = function () {
    var i = (this.p / 6) | 0;
    if (i >= this.s.length) throw new Error('damaged index');
    var b = (VAL[this.s.charCodeAt(i) & 127] >> (5 - (this.p % 6))) & 1;
    this.p++;
    return b;
  };
  Reader.prototype.bits = function (k) {
    var v = 0;
    for (var i = 0; i < k; i++) v = v * 2 + this.bit();
    return v;
  };
  Reader.prototype.gamma = function () {
    var z = 0;
    while (this.bit() === 0) { if (++z > 40) throw new Error('damaged index'); }
    return Math.pow(2, z) + this.bits(z) - 1;
  };
  Reader.prototype.rice = function (k) {
    var q = 0;
    while (this.bit() === 1) q++;
    return q * Math.pow(2, k) + this.bits(k);
  };

  function decode(r, full) {
    var n = r.gamma() + 1, kd = r.gamma(), kf = r.gamma(), kg = full ? r.gamma() : 0;
    var p = { docs: [], tf: [], starts: [0], pos: [], heading: [] };
    var prev = -1;
    for (var i = 0; i < n; i++) {
      var d = prev + 1 + r.rice(kd);
      prev = d;
      var tf = r.gamma() + 1;
      p.heading.push(r.bit() === 1);
      var x = r.rice(kf);
      p.pos.push(x);
      if (full) for (var j = 1; j < tf; j++) { x += r.rice(kg) + 1; p.pos.push(x); }
      p.docs.push(d);
      p.tf.push(tf);
      p.starts.push(p.pos.length);
    }
    return p;
  }

  function decodeUnigrams(r) {
    var n = r.gamma() + 1, kd = r.gamma();
    var u = { docs: [], tf: [], title: [], block: [], heading: [] }, prev = -1;
    for (var i = 0; i < n; i++) {
      var d = prev + 1 + r.rice(kd);
      prev = d;
      u.docs.push(d);
      u.tf.push(r.gamma() + 1);
      u.title.push(r.bit() === 1);
      u.heading.push(r.bit() === 1);
      var b = r.gamma();
      u.block.push(b > 0 ? b - 1 : null);
    }
    return u;
  }

  function decodeList(s) {
    var r = new Reader(s);
    var n = r.gamma(), k = r.gamma(), out = [];
    for (var i = 0; i < n; i++) out.push(r.rice(k));
    return out;
  }

  function bsearch(a, x, lo, hi) {
    lo = lo || 0;
    hi = hi === undefined ? a.length : hi;
    while (lo < hi) {
      var m = (lo + hi) >>> 1;
      if (a[m] < x) lo = m + 1; else hi = m;
    }
    return lo;
  }
  function has(a, x, lo, hi) {
    var i = bsearch(a, x, lo, hi);
    return i < (hi === undefined ? a.length : hi) && a[i] === x;
  }
  function findDoc(p, doc) {
    var i = bsearch(p.docs, doc);
    return i < p.docs.length && p.docs[i] === doc ? i : -1;
  }
  function atPos(p, doc, x) {
    if (!p) return false;
    var i = findDoc(p, doc);
    return i >= 0 && has(p.pos, x, p.starts[i], p.starts[i + 1]);
  }
  function intersect(a, b) {
    var small = a.length <= b.length ? a : b, big = a.length <= b.length ? b : a;
    var out = [], lo = 0;
    for (var i = 0; i < small.length && lo < big.length; i++) {
      var j = bsearch(big, small[i], lo);
      if (j < big.length && big[j] === small[i]) { out.push(small[i]); lo = j + 1; } else lo = j;
    }
    return out;
  }

  /* ---- normalisation (src/search/normalize.rs) ---- */
  /* The table comes in chunks of 256 code points (n/<cp >> 8>.js); need()
   * loads the chunks a string's characters fall in, before mapping it. */
  function Norm(get, blocks) {
    this.m = new Map();
    this.get = get;
    this.avail = {};
    this.done = {};
    var self = this;
    blocks.forEach(function (b) { self.avail[b] = 1; });
  }
  /* Ideograph blocks hold only traditional -> simplified folds; the text
   * of the archive needs only the folds the manifest lists (zc), so their
   * chunks are loaded for queries only (normalize.rs, query_only_chunk). */
  function queryOnly(cp) {
    return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0x20000 && cp <= 0x2f7ff) || (cp >= 0x2fa20 && cp <= 0x3134f);
  }
  Norm.prototype.need = function (strings, query) {
    var self = this, want = {}, loads = [];
    strings.forEach(function (s) {
      for (var ch of s) {
        var cp = ch.codePointAt(0), b = cp >> 8;
        if (cp >= 128 && self.avail[b] && !self.done[b] && (query || !queryOnly(cp))) want[b] = 1;
      }
    });
    Object.keys(want).forEach(function (b) {
      loads.push(self.get('n/' + b).then(function (t) {
        t.r.forEach(function (r) { for (var i = 0; i < r[1]; i++) self.m.set(r[0] + i, [r[2] + i]); });
        t.x.forEach(function (e) { self.m.set(e[0], Array.from(e[1]).map(function (c) { return c.codePointAt(0); })); });
        self.done[b] = 1;
      }));
    });
    return Promise.all(loads);
  };
  Norm.prototype.push = function (cp, out) {
    if (cp < 128) {
      if (cp >= 65 && cp <= 90) out.push(cp + 32);
      else if (cp <= 32 || cp === 127) out.push(32);
      else out.push(cp);
      return;
    }
    if (cp >= 0xac00 && cp <= 0xd7a3) {
      var s = cp - 0xac00;
      out.push(0x1100 + ((s / 588) | 0), 0x1161 + (((s % 588) / 28) | 0));
      if (s % 28) out.push(0x11a7 + (s % 28));
      return;
    }
    var v = this.m.get(cp);
    if (v === undefined) out.push(cp); else for (var i = 0; i < v.length; i++) out.push(v[i]);
  };
  function isWord(c) { return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0x300 && c <= 0x36f); }
  function isIdeo(c) {
    return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3134f);
  }
  /* Normalised code points of s, and for each the index of its source code
   * point; space runs become one space, and vanish between an ideograph and
   * a Latin letter or digit (normalize.rs, normalize_into). */
  Norm.prototype.mapped = function (s) {
    var cps = [], from = [], i = 0, buf = [], pending = -1;
    for (var ch of s) {
      buf.length = 0;
      this.push(ch.codePointAt(0), buf);
      for (var j = 0; j < buf.length; j++) {
        var d = buf[j];
        if (d === 32) { if (pending < 0) pending = i; continue; }
        if (pending >= 0) {
          var p = cps.length ? cps[cps.length - 1] : -1;
          if (!(p >= 0 && ((isIdeo(p) && isWord(d)) || (isWord(p) && isIdeo(d))))) { cps.push(32); from.push(pending); }
          pending = -1;
        }
        cps.push(d);
        from.push(i);
      }
      i++;
    }
    if (pending >= 0) { cps.push(32); from.push(pending); }
    return { cps: cps, from: from };
  };
  /* The terms of a query (normalize.rs, query_terms): words split at spaces
   * and CJK/full-width punctuation; "..." / “...” / 「...」 / 『...』 is one
   * phrase, single spaces kept. */
  var CLOSE = { 0x22: 0x22, 0xff02: 0xff02, 0x201c: 0x201d, 0x300c: 0x300d, 0x300e: 0x300f };
  function isSep(c) {
    return (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
      (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) || (c >= 0xfe10 && c <= 0xfe1f) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0x2012 && c <= 0x2027) || c === 0xb7 || c === 0x30fb;
  }
  Norm.prototype.terms = function (q) {
    var self = this, chars = Array.from(q), out = [], seen = {}, word = '';
    var add = function (t) {
      if (!t.length) return;
      var k = String.fromCodePoint.apply(null, t);
      if (!seen[k]) { seen[k] = 1; out.push(t); }
    };
    var flush = function () {
      var cur = [];
      self.mapped(word).cps.concat([32]).forEach(function (c) {
        if (c !== 32) cur.push(c); else { add(cur); cur = []; }
      });
      word = '';
    };
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i].codePointAt(0), close = CLOSE[c];
      if (close !== undefined) {
        var j = -1;
        for (var k = i + 1; k < chars.length; k++) if (chars[k].codePointAt(0) === close) { j = k; break; }
        if (j >= 0) {
          flush();
          var t = self.mapped(chars.slice(i + 1, j).join('')).cps, a = 0, b = t.length;
          while (a < b && t[a] === 32) a++;
          while (b > a && t[b - 1] === 32) b--;
          add(t.slice(a, b));
          i = j;
          continue;
        }
      }
      if (WS.test(chars[i]) || c === 0x22 || isSep(c)) flush(); else word += chars[i];
    }
    flush();
    return out;
  };

  function shardOf(term, n) {
    var h = 0x811c9dc5;
    for (var ch of term) { h ^= ch.codePointAt(0); h = Math.imul(h, 16777619); }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) & (n - 1);
  }

  /* ---- the engine (src/search/query.rs) ---- */
  function Engine(base) {
    var self = this;
    this.get = loader(base, function (key) { return self.locate(key); });
    this.ready = null;
  }
  /* Where an index entry is, from the manifest's pack directories. */
  Engine.prototype.locate = function (key) {
    var self = this, sec = self.sec, m;
    if (!sec) return null;
    if ((m = /^([sd])\/(\d+)$/.exec(key))) return sec[m[1]].spot(+m[2]);
    if ((m = /^sd\/(\d+)$/.exec(key))) return sec.s.dirSpot(+m[1]);
    if ((m = /^d\/(\d+)-(\d+)$/.exec(key))) {
      var meta = self.metas && self.metas[m[1]], k = +m[2];
      if (!meta) return null;
      var bl = meta.bl || [], off = meta.bo || 0;
      for (var j = 0; j < k; j++) off += bl[j];
      return sec.d.tail(+m[1], off, bl[k]);
    }
    var i = self.misc[key];
    return i === undefined ? null : sec.m.spot(i);
  };
  Engine.prototype.open = function () {
    var self = this;
    if (!self.ready) {
      self.ready = self.get('index').then(function (m) {
        if (m.v !== 4) throw new Error('index version');
        self.m = m;
        self.sec = { s: new ShardSection(m.pk.s, m.shards), d: new Section('d', m.pk.d), m: new Section('m', m.pk.m) };
        var keys = ['t'];
        (m.wl || []).forEach(function (l) { keys.push('w/' + l); });
        Object.keys(m.facets).sort().forEach(function (f) {
          for (var i = 0; i < m.facets[f].length; i++) keys.push('f/' + f + '-' + i);
        });
        (m.nb || []).forEach(function (b) { keys.push('n/' + b); });
        self.misc = Object.create(null);
        keys.forEach(function (k, i) { self.misc[k] = i; });
        self.norm = new Norm(self.get, m.nb);
        (m.zc || []).forEach(function (e) {
          self.norm.m.set(e[0], Array.from(e[1]).map(function (c) { return c.codePointAt(0); }));
        });
        self.tl = decodeList(m.tl);
        self.dl = decodeList(m.dl);
        /* Per post, its boilerplate ranges (index.rs boilerplate()). */
        var bp = decodeList(m.bp || ''), at = 0;
        self.bp = [];
        for (var d = 0; d < m.docs; d++) {
          var n = bp[at++] || 0, prev = 0, rs = [];
          for (var k = 0; k < n; k++) {
            var a = prev + (bp[at++] || 0);
            prev = a + (bp[at++] || 0);
            rs.push([a, prev]);
          }
          self.bp.push(rs);
        }
        var sum = 0;
        for (var i = 0; i < self.dl.length; i++) sum += self.dl[i];
        self.avg = Math.max(sum / Math.max(m.docs, 1), 1);
        return self;
      });
      self.ready.catch(function () { self.ready = null; });
    }
    return self.ready;
  };
  /* A shard, decoded (index.rs shard_value): [keys in the text code, one
   * bit stream of (length - 1 in two bits, postings) per term]. */
  Engine.prototype.shard = function (i) {
    var self = this, shards = self.shards || (self.shards = {});
    if (!shards[i]) {
      var sec = self.sec.s, p = sec.packOf(i);
      var dir = sec.lens[p] ? Promise.resolve() : self.get('sd/' + p).then(function (s) { sec.lens[p] = decodeList(s); });
      shards[i] = Promise.all([dir.then(function () { return self.get('s/' + i); }), self.codeTable()]).then(function (got) {
        var keys = Array.from(self.decodeWith(got[1], got[0][0])), r = new Reader(got[0][1]);
        var map = new Map(), at = 0;
        while (at < keys.length) {
          var len = r.bits(2) + 1;
          if (at + len > keys.length) throw new Error('damaged index');
          var term = keys.slice(at, at + len).join('');
          at += len;
          map.set(term, len === 1 ? decodeUnigrams(r) : decode(r, true));
        }
        return map;
      });
      shards[i].catch(function () { delete shards[i]; });
    }
    return shards[i];
  };
  Engine.prototype.postings = function (term) {
    return this.shard(shardOf(term, this.m.shards)).then(function (map) {
      var p = map.get(term);
      return p === undefined ? null : p;
    });
  };
  Engine.prototype.facetDocs = function (facet, value) {
    var vals = (this.m.facets[facet] || []), i = -1;
    for (var j = 0; j < vals.length; j++) if (vals[j][0] === value) i = j;
    if (i < 0) return Promise.resolve([]);
    return this.get('f/' + facet + '-' + i).then(function (s) {
      var x = 0;
      return decodeList(s).map(function (g) { x += g; return x; });
    });
  };
  Engine.prototype.evalTerm = function (t) {
    var self = this, first = t[0], last = t[t.length - 1], len = t.length;
    var cp = function (a) { return String.fromCodePoint.apply(null, a); };
    var need = [
      isWord(first) ? self.postings(cp([1, first]), true) : Promise.resolve(null),
      isWord(last) ? self.postings(cp([2, last]), true) : Promise.resolve(null),
    ];
    var keys = [], gk = [];
    /* The gram at offset i: a pair, or character-space-character in a phrase. */
    var gram = function (i) {
      if (t[i] === 32) return null;
      return t[i + 1] === 32 && i + 2 < len ? cp([t[i], 32, t[i + 2]]) : cp(t.slice(i, i + 2));
    };
    if (len === 1) need.push(self.postings(cp(t), false));
    else for (var i = 0; i < len - 1; i++) {
      var k = gram(i);
      gk.push(k);
      if (k !== null && keys.indexOf(k) < 0) { keys.push(k); need.push(self.postings(k, true)); }
    }
    return Promise.all(need).then(function (got) {
      var starts = got[0], ends = got[1], out = [];
      var wholeAt = function (doc, p) {
        return (!isWord(first) || atPos(starts, doc, p)) && (!isWord(last) || atPos(ends, doc, p + len - 1));
      };
      if (len === 1) {
        var p = got[2];
        if (!p) return out;
        for (var i = 0; i < p.docs.length; i++) {
          var doc = p.docs[i], whole = true;
          if (isWord(first)) {
            whole = false;
            if (starts && ends) {
              var a = findDoc(starts, doc), b = findDoc(ends, doc);
              if (a >= 0 && b >= 0) {
                for (var j = starts.starts[a]; j < starts.starts[a + 1] && !whole; j++) {
                  whole = has(ends.pos, starts.pos[j], ends.starts[b], ends.starts[b + 1]);
                }
              }
            }
          }
          out.push({ doc: doc, count: p.tf[i], title: p.title[i], heading: p.heading[i], whole: whole, pos: [], bodyBlock: p.block[i] });
        }
        return out;
      }
      var lists = got.slice(2);
      if (lists.some(function (l) { return !l; })) return out;
      var grams = [];
      for (var o = 0; o < len - 1; o++) if (gk[o] !== null) grams.push([o, lists[keys.indexOf(gk[o])]]);
      grams.sort(function (a, b) { return a[1].docs.length - b[1].docs.length || a[0] - b[0]; });
      var cand = grams[0][1].docs;
      for (var g = 1; g < grams.length; g++) {
        cand = intersect(cand, grams[g][1].docs);
        if (!cand.length) return out;
      }
      var r = grams[0][0], rare = grams[0][1];
      cand.forEach(function (doc) {
        var idx = grams.map(function (gr) { return findDoc(gr[1], doc); });
        var matches = [];
        for (var q = rare.starts[idx[0]]; q < rare.starts[idx[0] + 1]; q++) {
          var x = rare.pos[q];
          if (x < r) continue;
          var p = x - r, ok = true;
          for (var g = 1; g < grams.length && ok; g++) {
            var gp = grams[g][1];
            ok = has(gp.pos, p + grams[g][0], gp.starts[idx[g]], gp.starts[idx[g] + 1]);
          }
          if (ok) matches.push(p);
        }
        if (!matches.length) return;
        /* Positions for closeness and passages: the whole-word matches when there are any. */
        var tl = self.tl[doc], wholes = matches.filter(function (p) { return wholeAt(doc, p); });
        var heading = grams.every(function (gr, g) { return gr[1].heading[idx[g]]; });
        out.push({ doc: doc, count: matches.length, title: matches[0] < tl, heading: heading, whole: wholes.length > 0, pos: wholes.length ? wholes : matches, bodyBlock: null });
      });
      return out;
    });
  };
  /* Rarity weight (query.rs, idf): log2((n + 1) / df) by exponent plus
   * linear mantissa, at least 0.1; exact in doubles. */
  function idf(n, df) {
    var x = (n + 1) / Math.max(df, 1), e = 0;
    while (x >= 2) { x /= 2; e += 1; }
    var l = x > 1 ? e + (x - 1) : e;
    return l < 0.1 ? 0.1 : l;
  }
  function minSpan(lists) {
    var idx = lists.map(function () { return 0; }), best = Infinity;
    for (;;) {
      var lo = Infinity, lk = 0, hi = 0;
      for (var k = 0; k < lists.length; k++) {
        var v = lists[k][idx[k]];
        if (v < lo) { lo = v; lk = k; }
        if (v > hi) hi = v;
      }
      best = Math.min(best, hi - lo);
      if (++idx[lk] >= lists[lk].length) return best;
    }
  }
  var PASSAGE = 90, SECOND_GAP = 120;
  /* One document's hit from its matches of every term, in query order (query.rs, score). */
  Engine.prototype.score = function (doc, found, weights, terms) {
    var tl = this.tl[doc], dl = this.dl[doc], norm = 1.2 * (0.25 + 0.75 * dl / this.avg);
    var h = { doc: doc, title: 0, whole: 0, inword: 0, count: 0, score: 0, bodyFirst: null, bodySecond: null, bodyBlock: null };
    var j, m;
    for (j = 0; j < found.length; j++) {
      m = found[j];
      var tf = m.count, tfs = tf * 2.2 / (tf + norm), boost = m.title ? 3 : m.heading ? 1.5 : 0;
      h.score += weights[j] * (tfs + boost);
      h.title += m.title ? 1 : 0;
      h.whole += m.whole ? 1 : 0;
      h.inword += m.whole ? 0 : 1;
      h.count += m.count;
      if (m.bodyBlock !== null) h.bodyBlock = h.bodyBlock === null ? m.bodyBlock : Math.min(h.bodyBlock, m.bodyBlock);
    }
    var withPos = [];
    for (j = 0; j < found.length; j++) if (found[j].pos.length) withPos.push(j);
    if (withPos.length >= 2) {
      var span = minSpan(withPos.map(function (j) { return found[j].pos; }));
      var bonus = span <= 60 ? 3 : span <= 300 ? 2 : span <= 1000 ? 1 : 0, w = 0;
      for (var q = 0; q < withPos.length; q++) w += weights[withPos[q]];
      h.score += bonus * w;
    }
    var spots = [];
    for (j = 0; j < found.length; j++) {
      var ps = found[j].pos;
      for (var i = 0; i < ps.length; i++) if (ps[i] > tl) spots.push([ps[i], j]);
    }
    spots.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    /* Matches in boilerplate are left out when there are others. */
    var bps = this.bp[doc] || [];
    if (bps.length) {
      var inside = function (p) { return bps.some(function (r) { return p >= r[0] && p < r[1]; }); };
      if (spots.some(function (sp) { return !inside(sp[0]); })) spots = spots.filter(function (sp) { return !inside(sp[0]); });
    }
    var best = null, bw = 0;
    for (var s = 0; s < spots.length; s++) {
      var p = spots[s][0], seen = {}, ww = 0;
      for (var r = s; r < spots.length && spots[r][0] < p + PASSAGE; r++) {
        var t = spots[r][1];
        if (!seen[t]) { seen[t] = 1; ww += weights[t] * Math.min(terms[t].length, 4); }
      }
      if (best === null || ww > bw) { best = p; bw = ww; }
    }
    h.bodyFirst = best;
    /* A second passage, at least SECOND_GAP away, with the words the first lacks. */
    if (best !== null) {
      var inFirst = {}, second = null, sw = 0;
      spots.forEach(function (sp) { if (sp[0] >= best && sp[0] < best + PASSAGE) inFirst[sp[1]] = 1; });
      for (var s2 = 0; s2 < spots.length; s2++) {
        var p2 = spots[s2][0];
        if (Math.abs(p2 - best) < SECOND_GAP) continue;
        var seen2 = {}, w2 = 0;
        for (var r2 = s2; r2 < spots.length && spots[r2][0] < p2 + PASSAGE; r2++) {
          var t2 = spots[r2][1];
          if (!seen2[t2] && !inFirst[t2]) { seen2[t2] = 1; w2 += weights[t2] * Math.min(terms[t2].length, 4); }
        }
        if (w2 > 0 && (second === null || w2 > sw)) { second = p2; sw = w2; }
      }
      h.bodySecond = second;
    }
    return h;
  };
  /* Ranked hits for a query; filters is a list of [facet, value]. */
  Engine.prototype.search = function (query, filters) {
    var self = this;
    return self.open().then(function () {
      return self.norm.need([query], true);
    }).then(function () {
      var terms = self.norm.terms(query);
      if (!terms.length) return [];
      return Promise.all(terms.map(function (t) { return self.evalTerm(t); })).then(function (per) {
        if (per.some(function (m) { return !m.length; })) return [];
        return Promise.all((filters || []).map(function (f) { return self.facetDocs(f[0], f[1]); })).then(function (fs) {
          var weights = per.map(function (m) { return idf(self.m.docs, m.length); });
          var order = per.map(function (_, j) { return j; });
          order.sort(function (a, b) { return per[a].length - per[b].length || a - b; });
          var keep = null;
          fs.forEach(function (d) { keep = keep === null ? d : intersect(keep, d); });
          var hits = [];
          per[order[0]].forEach(function (m0) {
            if (keep !== null && !has(keep, m0.doc)) return;
            var found = [];
            for (var i = 0; i < per.length; i++) {
              var list = per[i], lo = 0, hi = list.length;
              while (lo < hi) { var mid = (lo + hi) >>> 1; if (list[mid].doc < m0.doc) lo = mid + 1; else hi = mid; }
              if (lo >= list.length || list[lo].doc !== m0.doc) return;
              found.push(list[lo]);
            }
            hits.push(self.score(m0.doc, found, weights, terms));
          });
          hits.sort(function (a, b) {
            return a.inword - b.inword || b.score - a.score || a.doc - b.doc;
          });
          return hits;
        });
      });
    });
  };
  /* ---- suggestions (src/search/suggest.rs) ---- */
  function osa(a, b) {
    var n = a.length, m = b.length, d = [], i, j;
    for (i = 0; i <= n; i++) { d.push([i]); }
    for (j = 0; j <= m; j++) d[0][j] = j;
    for (i = 1; i <= n; i++) {
      for (j = 1; j <= m; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
  function termText(t) {
    var s = String.fromCodePoint.apply(null, t);
    return t.indexOf(32) >= 0 ? '"' + s + '"' : s;
  }
  function cmpStr(a, b) {
    var x = Array.from(a).map(function (c) { return c.codePointAt(0); }), y = Array.from(b).map(function (c) { return c.codePointAt(0); });
    for (var i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }
  /* What to offer when a query finds nothing: its misspelt Latin words
   * replaced by the nearest indexed word, and the query without its rarest word. */
  Engine.prototype.suggest = function (query) {
    var self = this;
    return self.open().then(function () {
      return self.norm.need([query], true);
    }).then(function () {
      var terms = self.norm.terms(query);
      return Promise.all(terms.map(function (t) { return self.evalTerm(t); })).then(function (per) {
        var df = per.map(function (m) { return m.length; }), wl = self.m.wl || [];
        return Promise.all(terms.map(function (t, j) {
          var ok = t.length >= 3 && t.length <= 24 && t.every(isWord);
          if (df[j] > 0 || !ok) return Promise.resolve(null);
          var loads = [];
          for (var len = Math.max(t.length - 2, 0); len <= t.length + 2; len++) {
            if (wl.indexOf(len) >= 0) loads.push(self.get('w/' + len));
          }
          return Promise.all(loads).then(function (lists) {
            var best = null, tw = String.fromCodePoint.apply(null, t);
            lists.forEach(function (l) {
              l.forEach(function (e) {
                if (e[0] === tw) return;
                var d = osa(t, Array.from(e[0]).map(function (c) { return c.codePointAt(0); }));
                if (d > 2) return;
                if (best === null || d < best[0] || (d === best[0] && (e[1] > best[1] || (e[1] === best[1] && cmpStr(e[0], best[2]) < 0)))) best = [d, e[1], e[0]];
              });
            });
            return best && best[2];
          });
        })).then(function (fixes) {
          var out = [];
          if (fixes.some(function (f) { return f; })) {
            out.push(terms.map(function (t, j) { return fixes[j] ? fixes[j] : termText(t); }).join(' '));
          }
          if (terms.length >= 2) {
            var rare = 0;
            for (var j = 1; j < terms.length; j++) if (df[j] < df[rare]) rare = j;
            var s = terms.filter(function (_, j) { return j !== rare; }).map(termText).join(' ');
            if (out.indexOf(s) < 0) out.push(s);
          }
          return out;
        });
      });
    });
  };
  /* Per-document text is in the site's two-byte code (TextCodec in
   * src/search/index.rs): U+0080–U+07FE stand for the characters of t.js
   * by rank, U+07FF escapes the next character. */
  Engine.prototype.codeTable = function () {
    var self = this;
    return self.table ? Promise.resolve(self.table) : self.get('t').then(function (t) {
      self.table = Array.from(t);
      return self.table;
    });
  };
  Engine.prototype.decodeWith = function (table, s) {
    var out = '', esc = false;
    for (var ch of s) {
      var cp = ch.codePointAt(0);
      if (esc) { out += ch; esc = false; }
      else if (cp === 0x7ff) esc = true;
      else if (cp >= 0x80 && cp < 0x7ff) out += table[cp - 0x80] || '\ufffd';
      else out += ch;
    }
    return out;
  };
  Engine.prototype.decodeText = function (s) {
    var self = this;
    return self.codeTable().then(function (table) { return self.decodeWith(table, s); });
  };
  /* A post's details (its text blocks are loaded by passage()), decoded
   * (index.rs DocFile): the text fields are in the text code, the URL's
   * non-ASCII characters unescaped (index.rs compact_url) and escaped again
   * here, as the site writes its links; the block lengths a coded list. */
  Engine.prototype.doc = function (doc) {
    var self = this, docs = self.docs || (self.docs = {});
    if (!docs[doc]) {
      docs[doc] = Promise.all([self.get('d/' + doc), self.codeTable()]).then(function (got) {
        var meta = Object.assign({}, got[0]), text = function (s) { return self.decodeWith(got[1], s); };
        meta.t = text(meta.t);
        meta.u = text(meta.u).replace(/[^\x00-\x7f]/gu, encodeURIComponent);
        meta.g = (meta.g || []).map(text);
        meta.b = (meta.b || []).map(text);
        if (meta.s !== undefined) meta.s = text(meta.s);
        meta.bl = decodeList(meta.bl || '');
        meta.n = meta.bl.length;
        (self.metas || (self.metas = {}))[doc] = meta;
        return meta;
      });
      docs[doc].catch(function () { delete docs[doc]; });
    }
    return docs[doc];
  };
  /* The excerpt of a hit: {text, highlights: [[start, end)]} in code points;
   * its best passage, then its second passage (after a space) if it has one. */
  Engine.prototype.excerpt = function (hit, meta, query) {
    var self = this;
    return self.passage(hit, hit.bodyFirst, meta, query).then(function (one) {
      if (hit.bodySecond === null) return one;
      return self.passage(hit, hit.bodySecond, meta, query).then(function (two) {
        var shift = Array.from(one.text).length + 1;
        return {
          text: one.text + ' ' + two.text,
          highlights: one.highlights.concat(two.highlights.map(function (r) { return [r[0] + shift, r[1] + shift]; })),
        };
      });
    });
  };
  Engine.prototype.passage = function (hit, at, meta, query) {
    var self = this, B = self.m.block;
    var startOf = function (k) { return meta.o && meta.o[k] !== undefined ? meta.o[k] : k * B; };
    var tl = self.tl[hit.doc];
    var x = at === null ? null : Math.max(at - tl - 1, 0);
    var k0 = 0, k1 = 0;
    if (x === null && hit.bodyBlock !== null) k0 = k1 = Math.min(hit.bodyBlock, Math.max(meta.n - 1, 0));
    if (x !== null) {
      var k = 0;
      for (var j = meta.n - 1; j >= 0; j--) if (startOf(j) <= x) { k = j; break; }
      k0 = k > 0 && x - startOf(k) < 30 ? k - 1 : k;
      k1 = k + 1 < meta.n && startOf(k + 1) < x + 90 ? k + 1 : k;
    }
    var parts = [];
    for (var b = k0; b <= k1; b++) {
      parts.push(self.get('d/' + hit.doc + '-' + b).then(function (t) { return self.decodeText(t); }));
    }
    return Promise.all(parts).then(function (texts) {
      return Promise.all([self.norm.need(texts.concat([meta.t])), self.norm.need([query], true)]).then(function () { return texts; });
    }).then(function (texts) {
      return makeExcerpt(self.norm, texts.join(''), x === null ? null : x - startOf(k0), k0 > 0, k1 + 1 < meta.n, self.norm.terms(query));
    });
  };
  function findRanges(norm, text, terms, ws, we) {
    var mp = norm.mapped(text), n = mp.cps, ranges = [];
    if (we === undefined) { ws = 0; we = n.length; }
    terms.forEach(function (t) {
      for (var s = ws; s + t.length <= we; s++) {
        var ok = true;
        for (var i = 0; i < t.length && ok; i++) ok = n[s + i] === t[i];
        if (ok) ranges.push([mp.from[s], mp.from[s + t.length - 1] + 1]);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var l = merged[merged.length - 1];
      if (l && r[0] <= l[1]) l[1] = Math.max(l[1], r[1]); else merged.push([r[0], r[1]]);
    });
    return { merged: merged, mp: mp };
  }
  /* Exactly the characters Rust's char::is_whitespace accepts. */
  var WS = /[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  function makeExcerpt(norm, text, at, cutBefore, cutAfter, terms) {
    var orig = Array.from(text), mp = norm.mapped(text), n = mp.cps.length;
    if (at === null) {
      terms.forEach(function (t) {
        for (var s = 0; s + t.length <= n && (at === null || s < at); s++) {
          var ok = true;
          for (var i = 0; i < t.length && ok; i++) ok = mp.cps[s + i] === t[i];
          if (ok) { at = s; break; }
        }
      });
    }
    var ws = at === null ? 0 : Math.max(0, at - 30), we = at === null ? Math.min(120, n) : Math.min(at + 90, n);
    if (ws >= we) return { text: '', highlights: [] };
    var os = mp.from[ws], oe = mp.from[we - 1] + 1;
    var merged = findRanges(norm, text, terms.filter(function (t) { return t.length <= we - ws; }), ws, we).merged;
    var lead = ws > 0 || cutBefore ? 1 : 0;
    var out = (lead ? '…' : '') + orig.slice(os, oe).map(function (c) { return WS.test(c) ? ' ' : c; }).join('');
    if (we < n || cutAfter) out += '…';
    return { text: out, highlights: merged.map(function (r) { return [r[0] - os + lead, r[1] - os + lead]; }) };
  }
  Q.Engine = Engine;

  /* ---- the box ---- */
  var PAGE = 10;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function marked(parent, text, ranges) {
    var cps = Array.from(text), at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) parent.appendChild(document.createTextNode(cps.slice(at, r[0]).join('')));
      parent.appendChild(el('mark', null, cps.slice(r[0], r[1]).join('')));
      at = r[1];
    });
    if (at < cps.length) parent.appendChild(document.createTextNode(cps.slice(at).join('')));
  }
  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }

  function Box(root) {
    var self = this;
    self.root = root;
    self.siteRoot = root.getAttribute('data-root') || '';
    self.engine = new Engine(self.siteRoot + 'search/');
    self.input = root.querySelector('.qs-input');
    self.panel = root.querySelector('.qs-panel');
    self.status = root.querySelector('.qs-status');
    self.list = root.querySelector('.qs-results');
    self.filters = root.querySelector('.qs-filters');
    self.more = root.querySelector('.qs-more');
    self.seq = 0;
    self.active = -1;
    self.hits = [];
    self.shown = 0;
    var timer = 0;
    self.input.addEventListener('focus', function () { self.engine.open().then(function () { self.setup(); }, function () {}); });
    self.input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.run(); }, 120);
    });
    self.input.addEventListener('keydown', function (e) { self.key(e); });
    self.more.addEventListener('click', function () { self.page(); });
    document.addEventListener('click', function (e) { if (!root.contains(e.target)) self.close(); });
    root.querySelector('form').addEventListener('submit', function (e) { e.preventDefault(); self.go(); });
  }
  Box.prototype.setup = function () {
    var self = this, m = self.engine.m;
    if (self.ui) return;
    self.ui = m.ui;
    self.more.textContent = m.ui.more;
    ['kind', 'column', 'tag', 'stage'].forEach(function (f) {
      var vals = m.facets[f];
      if (!vals || vals.length < 2) return;
      var sel = el('select', 'qs-filter');
      sel.setAttribute('aria-label', m.ui[f]);
      sel.name = f;
      var all = el('option', null, m.ui[f] + ' · ' + m.ui.all);
      all.value = '';
      sel.appendChild(all);
      vals.forEach(function (v) {
        var o = el('option', null, (f === 'kind' ? m.ui[v[0]] || v[1] : v[1]) + ' (' + v[2] + ')');
        o.value = v[0];
        sel.appendChild(o);
      });
      sel.addEventListener('change', function () { self.run(); });
      self.filters.appendChild(sel);
    });
  };
  Box.prototype.chosen = function () {
    var out = [];
    this.filters.querySelectorAll('select').forEach(function (s) { if (s.value) out.push([s.name, s.value]); });
    return out;
  };
  Box.prototype.open = function () {
    this.panel.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };
  Box.prototype.close = function () {
    this.panel.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  };
  Box.prototype.run = function () {
    var self = this, q = self.input.value, seq = ++self.seq;
    if (!q.trim()) { self.close(); self.list.textContent = ''; return; }
    self.engine.open().then(function () {
      self.setup();
      self.open();
      self.root.setAttribute('aria-busy', 'true');
      return self.engine.search(q, self.chosen()).then(function (hits) {
        if (seq !== self.seq) return;
        self.query = q;
        self.hits = hits;
        self.shown = 0;
        self.active = -1;
        self.list.textContent = '';
        self.status.textContent = hits.length ? fmt(self.ui.results, { n: hits.length }) : fmt(self.ui.none, { q: q.trim() });
        if (!hits.length) {
          return self.engine.suggest(q).then(function (sugg) {
            if (seq !== self.seq || !sugg.length) return self.page(seq);
            self.status.appendChild(document.createTextNode(' ' + self.ui.suggest));
            sugg.forEach(function (s, i) {
              if (i) self.status.appendChild(document.createTextNode(' / '));
              var b = el('button', 'qs-suggest', s);
              b.type = 'button';
              b.addEventListener('click', function () { self.input.value = s; self.run(); });
              self.status.appendChild(b);
            });
            return self.page(seq);
          });
        }
        return self.page(seq);
      });
    }).catch(function (e) {
      self.open();
      self.status.textContent = (self.ui ? self.ui.error : 'Search index could not be loaded') + ' (' + e.message + ')';
    }).then(function () {
      if (seq === self.seq) self.root.removeAttribute('aria-busy');
    });
  };
  Box.prototype.page = function (seq) {
    var self = this, eng = self.engine, from = self.shown, part = self.hits.slice(from, from + PAGE);
    seq = seq || self.seq;
    self.shown += part.length;
    self.more.hidden = self.shown >= self.hits.length;
    return Promise.all(part.map(function (h) {
      return eng.doc(h.doc).then(function (meta) {
        return eng.excerpt(h, meta, self.query).then(function (ex) { return [h, meta, ex]; });
      });
    })).then(function (rows) {
      if (seq !== self.seq) return;
      rows.forEach(function (row, i) { self.list.appendChild(self.item(row[1], row[2], from + i)); });
    });
  };
  Box.prototype.item = function (meta, ex, n) {
    var ui = this.ui, terms = this.engine.norm.terms(this.query);
    /* The link itself is the listbox option (an option may not hold a
       link): the arrow keys move through the options, Tab through the links. */
    var li = el('li', 'qs-item');
    li.setAttribute('role', 'none');
    var a = el('a', 'qs-link');
    a.id = 'qs-r' + n;
    a.setAttribute('role', 'option');
    a.setAttribute('aria-selected', 'false');
    /* hl: the page marks the query's matches and scrolls to the best passage. */
    a.href = this.siteRoot + meta.u + '?hl=' + encodeURIComponent(this.query);
    var t = el('span', 'qs-title');
    marked(t, meta.t, findRanges(this.engine.norm, meta.t, terms).merged);
    a.appendChild(t);
    var info = el('span', 'qs-meta');
    info.appendChild(el('span', 'qs-kind qs-kind-' + meta.k, ui[meta.k] || meta.k));
    if (meta.d) info.appendChild(el('span', null, meta.d));
    if (meta.b && meta.b.length) info.appendChild(el('span', null, meta.b.join('、')));
    (meta.g || []).forEach(function (g) { info.appendChild(el('span', 'qs-tag', '#' + g)); });
    a.appendChild(info);
    var x = el('span', 'qs-excerpt');
    marked(x, ex.text, ex.highlights);
    a.appendChild(x);
    li.appendChild(a);
    return li;
  };
  Box.prototype.items = function () { return this.list.querySelectorAll('.qs-link'); };
  Box.prototype.select = function (i) {
    var items = this.items();
    if (!items.length) return;
    i = Math.max(0, Math.min(items.length - 1, i));
    if (this.active >= 0 && items[this.active]) {
      items[this.active].classList.remove('qs-active');
      items[this.active].setAttribute('aria-selected', 'false');
    }
    this.active = i;
    items[i].classList.add('qs-active');
    items[i].setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', items[i].id);
    items[i].scrollIntoView({ block: 'nearest' });
  };
  Box.prototype.go = function () {
    var items = this.items(), it = items[this.active >= 0 ? this.active : 0];
    if (it) window.location.href = it.href;
  };
  Box.prototype.key = function (e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); this.open(); this.select(this.active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); this.select(this.active - 1); }
    else if (e.key === 'Enter') { e.preventDefault(); this.go(); }
    else if (e.key === 'Escape') {
      if (!this.panel.hidden) this.close(); else { this.input.value = ''; this.list.textContent = ''; }
    }
  };

  /* ---- landing on a result: mark the matches, scroll to the best passage ---- */
  function landing(root, q) {
    var area = document.querySelector('main article') || document.querySelector('main');
    if (!area || !q) return Promise.resolve();
    var eng = new Engine(root + 'search/');
    return eng.open().then(function () {
      var nodes = [], text = '', walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
      for (var n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentNode.closest('script,style,.qs')) continue;
        nodes.push(n);
        text += n.data;
      }
      return Promise.all([eng.norm.need([text]), eng.norm.need([q], true)]).then(function () {
        var terms = eng.norm.terms(q);
        if (!terms.length) return;
        var ranges = findRanges(eng.norm, text, terms).merged;
        if (!ranges.length) return;
        /* Code point offset -> [node, UTF-16 offset]. */
        var at = [], ni = 0;
        nodes.forEach(function (node, k) {
          var u = 0;
          for (var ch of node.data) { at.push([k, u]); u += ch.length; }
          ni = k;
        });
        at.push([ni, nodes[ni].data.length]);
        /* The best passage: the match with the most distinct terms in the next PASSAGE characters. */
        var cps = Array.from(text), best = 0, bestN = -1;
        ranges.forEach(function (r, i) {
          var win = cps.slice(r[0], r[0] + PASSAGE).join(''), got = findRanges(eng.norm, win, terms).mp.cps, n = 0;
          terms.forEach(function (t) {
            var k = String.fromCodePoint.apply(null, t);
            if (String.fromCodePoint.apply(null, got).indexOf(k) >= 0) n++;
          });
          if (n > bestN) { bestN = n; best = i; }
        });
        var marks = [];
        for (var i = ranges.length - 1; i >= 0; i--) {
          var s = at[ranges[i][0]], e = at[ranges[i][1]], parts = [];
          for (var k = e[0]; k >= s[0]; k--) {
            var node = nodes[k], a = k === s[0] ? s[1] : 0, b = k === e[0] ? e[1] : node.data.length;
            if (b <= a) continue;
            var rg = document.createRange();
            rg.setStart(node, a);
            rg.setEnd(node, b);
            var mk = document.createElement('mark');
            mk.className = 'qs-hit';
            rg.surroundContents(mk);
            parts.unshift(mk);
          }
          if (i === best && parts.length) parts.forEach(function (p) { p.classList.add('qs-hit-best'); });
          marks.unshift(parts);
        }
        var first = area.querySelector('.qs-hit-best');
        if (first) first.scrollIntoView({ block: 'center' });
      });
    });
  }
  Q.landing = null;

  function start() {
    var boxes = [];
    document.querySelectorAll('.qs').forEach(function (r) { boxes.push(new Box(r)); });
    Q.boxes = boxes;
    document.addEventListener('keydown', function (e) {
      var t = e.target;
      if (e.key === '/' && boxes.length && !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
        e.preventDefault();
        boxes[0].input.focus();
      }
    });
    var params = new URLSearchParams(window.location.search), hl = params.get('hl');
    if (hl && boxes.length) {
      Q.landing = landing(boxes[0].siteRoot, hl).then(function () { return true; }, function () { return false; });
    }
    var q = params.get('q');
    if (q && boxes.length) { boxes[0].input.value = q; boxes[0].run(); }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
