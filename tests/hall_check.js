// The lecture-hall check of tests/test_browser.py, run in a reveal.js deck: for every slide,
// text outside a clipping box or the screen, tracebacks whose last line is not in view, and the
// smallest rendered code and prose sizes (computed font size x Reveal.getScale()).
() => {
  const scale = Reveal.getScale();
  const vw = window.innerWidth, vh = window.innerHeight;
  const boxes = new Map();
  const clipBox = (el) => {
    if (boxes.has(el)) return boxes.get(el);
    let box = null;
    const cs = getComputedStyle(el);
    if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
      const r = el.getBoundingClientRect();
      const k = el.offsetWidth ? r.width / el.offsetWidth : 1;
      const left = r.left + el.clientLeft * k, top = r.top + el.clientTop * k;
      box = {left, top, right: left + el.clientWidth * k, bottom: top + el.clientHeight * k,
             name: el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\s+/).join('.') : '')};
    }
    boxes.set(el, box);
    return box;
  };
  const clipsOf = (node) => {
    const out = [{left: 0, top: 0, right: vw, bottom: vh, name: 'viewport'}];
    for (let el = node.parentElement; el && el !== document.documentElement; el = el.parentElement) {
      const b = clipBox(el);
      if (b) out.push(b);
    }
    return out;
  };
  const outside = (r, b) => r.left < b.left - 1 || r.top < b.top - 1 || r.right > b.right + 1 || r.bottom > b.bottom + 1;
  const hiddenIn = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const clips = clipsOf(node);
    for (const r of rects) for (const b of clips) if (outside(r, b)) return {box: b.name, text: node.textContent.trim().slice(0, 50), last: rects[rects.length - 1]};
    return null;
  };
  const px = (el) => parseFloat(getComputedStyle(el).fontSize) * scale;
  const result = [];
  for (const s of Reveal.getSlides()) {
    const i = Reveal.getIndices(s);
    Reveal.slide(i.h, i.v);
    const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
    const hidden = [];
    let chars = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || n.parentElement.closest('aside.notes, .MJX_Assistive_MathML')) continue;
      chars += n.textContent.trim().length;
      const h = hiddenIn(n);
      if (h) hidden.push(h);
    }
    const cut = [];
    for (const o of s.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')) {
      const w = document.createTreeWalker(o, NodeFilter.SHOW_TEXT);
      let last = null;
      for (let n = w.nextNode(); n; n = w.nextNode()) if (n.textContent.trim()) last = n;
      if (!last) continue;
      const range = document.createRange();
      const t = last.textContent, end = t.trimEnd().length;
      range.setStart(last, Math.max(0, t.lastIndexOf('\n', end - 1) + 1)); range.setEnd(last, end);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
      const clips = clipsOf(last);
      if (!rects.length || rects.some(r => clips.some(b => outside(r, b))))
        cut.push(t.trim().split('\n').pop().slice(0, 60));
    }
    const code = [...s.querySelectorAll('.jp-InputArea-editor pre, .jp-OutputArea-output pre')].map(px);
    const prose = [...s.querySelectorAll('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li, .jp-RenderedMarkdown td')].map(px);
    result.push({h: i.h, v: i.v, hidden, cut, chars,
      code: code.length ? Math.min(...code) : null, prose: prose.length ? Math.min(...prose) : null,
      title: (s.querySelector('h1,h2,h3') || {textContent: ''}).textContent.trim().slice(0, 50)});
  }
  return {scale, slides: result};
}
