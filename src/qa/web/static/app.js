// Progressive enhancement for the chat (no reload, Enter sends, loading state, conversation kept in
// sessionStorage) and the passage page (scroll to the passage). Without this file every page still
// works through plain form posts. Text always goes in through textContent: nothing is parsed as HTML.
"use strict";

(function () {
  const STORE = "qa.conversation.v1";
  const MAX_HISTORY = 20;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function segments(text, ranges) {
    const spans = (ranges || []).map(function (r) {
      return [Math.max(0, r[0] | 0), Math.min(text.length, r[1] | 0)];
    }).filter(function (r) { return r[0] < r[1]; }).sort(function (a, b) { return a[0] - b[0]; });
    const merged = [];
    spans.forEach(function (s) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
    });
    const out = [];
    let pos = 0;
    merged.forEach(function (s) {
      if (s[0] > pos) out.push([text.slice(pos, s[0]), false]);
      out.push([text.slice(s[0], s[1]), true]);
      pos = s[1];
    });
    if (pos < text.length) out.push([text.slice(pos), false]);
    return out;
  }

  function snippet(node, text, ranges) {
    segments(text, ranges).forEach(function (piece) {
      node.appendChild(piece[1] ? el("mark", null, piece[0]) : document.createTextNode(piece[0]));
    });
    return node;
  }

  function askJsonUrl(question, history) {
    const params = new URLSearchParams();
    params.append("question", question);
    history.forEach(function (h) { params.append("history", h); });
    return "/api/ask?" + params.toString();
  }

  function citationUrl(c, related) {
    const base = (related || []).find(function (r) { return r.passage_id === c.passage_id; });
    const hl = (c.highlights || []).map(function (h) {
      return base ? (c.start - base.start + h[0]) + "-" + (c.start - base.start + h[1])
                  : (c.start + h[0]) + "-" + (c.start + h[1]);
    }).join(",");
    const url = "/passages/" + encodeURIComponent(c.passage_id);
    return url + (hl ? (base ? "?hl=" : "?dhl=") + hl : "") + "#passage";
  }

  function confidenceLabel(c) { return c >= 0.75 ? "high" : c >= 0.45 ? "medium" : "low"; }

  function card(kind, section, text, ranges, href, docTitle) {
    const art = el("article", "card " + kind);
    const head = el("header");
    head.appendChild(el("span", "section", section || "Untitled section"));
    if (docTitle) head.appendChild(el("span", "doc", docTitle));
    art.appendChild(head);
    art.appendChild(snippet(el("blockquote"), text, ranges));
    const link = el("a", "context-link", "Read in context →");
    link.href = href;
    art.appendChild(link);
    return art;
  }

  function hidden(form, name, value) {
    const input = el("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
  }

  function feedbackForm(a, history) {
    const form = el("form", "feedback");
    form.method = "post"; form.action = "/feedback";
    hidden(form, "question", a.question);
    history.forEach(function (h) { hidden(form, "history", h); });
    hidden(form, "answer", a.answer);
    hidden(form, "kind", a.kind || "");
    hidden(form, "answered", a.answered ? "true" : "false");
    form.appendChild(el("span", "fb-label", "Was this right?"));
    [["up", "Yes", "Thumbs up: right"], ["down", "No", "Thumbs down: wrong"]].forEach(function (v) {
      const b = el("button", "vote " + v[0], v[1]);
      b.type = "submit"; b.name = "vote"; b.value = v[0]; b.title = v[2];
      form.appendChild(b);
    });
    const corr = el("input", "correction");
    corr.type = "text"; corr.name = "correction"; corr.maxLength = 1000;
    corr.placeholder = "Optional: the right answer is …";
    corr.setAttribute("aria-label", "The right answer is");
    form.appendChild(corr);
    return form;
  }

  function acrossTable(a, rows) {
    const t = el("table", "across");
    const head = el("tr");
    ["Report", "Answer", "Source"].forEach(function (h) { const th = el("th", "", h); th.scope = "col"; head.appendChild(th); });
    const thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    const body = el("tbody");
    rows.forEach(function (r) {
      const tr = el("tr", r.answered ? "stated" : "not-stated");
      const th = el("th", "", r.report); th.scope = "row"; tr.appendChild(th);
      tr.appendChild(el("td", "", r.answer));
      const src = el("td");
      const c = r.citation !== null && r.citation !== undefined ? (a.citations || [])[r.citation] : null;
      if (c) {
        const link = el("a", "", c.section || "source");
        link.href = citationUrl(c, a.related);
        src.appendChild(link);
      } else { src.textContent = "—"; }
      tr.appendChild(src);
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function answerBubble(a, history) {
    const box = el("div", "bubble a " + (a.answered ? "answered" : "unanswered"));
    const rows = a.table || [];
    // an answer across reports: its first line above a table (report | answer | source)
    const text = rows.length && a.answer && a.answer.indexOf("\n") >= 0 ? a.answer.split("\n")[0] : a.answer;
    box.appendChild(el("p", "answer-text", text || "The report does not say."));
    if (rows.length) box.appendChild(acrossTable(a, rows));
    const meta = el("div", "meta");
    const lvl = confidenceLabel(a.confidence);
    const conf = el("span", "confidence conf-" + lvl);
    conf.title = "confidence " + Number(a.confidence).toFixed(2);
    const meter = el("meter");
    meter.min = 0; meter.max = 1; meter.low = 0.45; meter.high = 0.75; meter.optimum = 1; meter.value = a.confidence;
    conf.appendChild(meter);
    conf.appendChild(document.createTextNode(" " + lvl.charAt(0).toUpperCase() + lvl.slice(1) + " confidence"));
    meta.appendChild(conf);
    if (a.resolved_question && a.resolved_question !== a.question) {
      meta.appendChild(el("span", "resolved", "Answered as: “" + a.resolved_question + "”"));
    }
    const json = el("a", "json-link", "JSON");
    json.href = askJsonUrl(a.question, history);
    meta.appendChild(json);
    box.appendChild(meta);
    if (a.computation) box.appendChild(el("p", "computation", a.computation));
    if (a.citations && a.citations.length) {
      const cards = el("div", "cards");
      a.citations.forEach(function (c) {
        cards.appendChild(card("citation", c.section, c.text, c.highlights, citationUrl(c, a.related), c.doc_title));
      });
      box.appendChild(cards);
    }
    if (!a.answered && a.related && a.related.length) {
      box.appendChild(el("p", "related-title", "Related passages"));
      const cards = el("div", "cards");
      a.related.slice(0, 3).forEach(function (r) {
        const text = r.text.length > 280 ? r.text.slice(0, 277) + "..." : r.text;
        cards.appendChild(card("related", r.section, text, [], "/passages/" + encodeURIComponent(r.passage_id) + "#passage"));
      });
      box.appendChild(cards);
    }
    box.appendChild(feedbackForm(a, history));
    return box;
  }

  function questionBubble(q) {
    const b = el("div", "bubble q");
    b.appendChild(el("span", "who", "You"));
    b.appendChild(el("p", "q-text", q));
    return b;
  }

  function errorBubble(message) {
    const box = el("div", "bubble a unanswered");
    box.appendChild(el("p", "error-note", message));
    return box;
  }

  // Bring the newest turn to the top of the window: its question, then the first lines of its
  // answer. Scrolling it to the bottom ("block: end") would leave it behind the question box, which
  // sticks to the bottom of the window; a turn near the end of the page simply ends the page.
  function reveal(art) {
    const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    art.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "[]") || []; } catch (e) { return []; }
  }
  function save(turns) {
    try { sessionStorage.setItem(STORE, JSON.stringify(turns.slice(-50))); } catch (e) { /* storage full or off */ }
  }

  async function postJson(url, body) {
    const resp = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) {
      const msg = data && data.error ? data.error.message : "The server answered " + resp.status + ".";
      throw new Error(msg);
    }
    return data;
  }

  function initChat(form) {
    const box = form.querySelector("textarea");
    const send = form.querySelector("button[type=submit]");
    const conv = document.getElementById("conversation");
    const examples = document.getElementById("examples");
    let turns = load();
    let busy = false;
    const picker = form.querySelector("select[name=reports]");

    // The report picker's choice: sent with each question, kept with the conversation.
    function picked() {
      return picker ? Array.from(picker.selectedOptions).map(function (o) { return o.value; }) : [];
    }
    if (picker && turns.length && !conv.children.length) {
      const last = turns[turns.length - 1].reports || [];
      Array.from(picker.options).forEach(function (o) { o.selected = last.indexOf(o.value) >= 0; });
    }

    if (!conv.children.length) {
      turns.forEach(function (t) {
        const art = el("article", "turn");
        art.appendChild(questionBubble(t.question));
        art.appendChild(t.answer ? answerBubble(t.answer, t.history) : errorBubble(t.error || ""));
        conv.appendChild(art);
      });
      if (turns.length && examples) examples.classList.add("hidden");
    } else {
      turns = [];  // a server-rendered conversation (no-JS post) starts afresh
    }

    async function ask(question) {
      question = question.trim();
      if (busy) return;
      if (!question) { box.focus(); return; }
      busy = true;
      send.disabled = true;
      if (examples) examples.classList.add("hidden");
      const history = turns.filter(function (t) { return t.answer; })
        .map(function (t) { return t.question; }).slice(-MAX_HISTORY);
      const reports = picked();
      const art = el("article", "turn loading");
      art.appendChild(questionBubble(question));
      const pending = el("div", "bubble a");
      pending.appendChild(el("p", "answer-text dots", "Reading the report"));
      art.appendChild(pending);
      conv.appendChild(art);
      reveal(art);
      box.value = "";
      try {
        const answer = await postJson("/api/ask", { question: question, history: history, reports: reports });
        art.replaceChild(answerBubble(answer, history), pending);
        turns.push({ question: question, history: history, reports: reports, answer: answer });
      } catch (err) {
        art.replaceChild(errorBubble(err.message), pending);
        turns.push({ question: question, history: history, reports: reports, answer: null, error: err.message });
        box.value = question;
      } finally {
        art.classList.remove("loading");
        reveal(art);
        save(turns);
        busy = false;
        send.disabled = false;
        box.focus({ preventScroll: true });  // the turn was just revealed; keep it in place
      }
    }

    form.addEventListener("submit", function (ev) { ev.preventDefault(); ask(box.value); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ask(box.value); }
    });
    if (examples) {
      examples.addEventListener("click", function (ev) {
        const b = ev.target.closest("button.example");
        if (!b) return;
        ev.preventDefault();
        ask(b.value);
      });
    }
    const reset = document.getElementById("new-chat");
    if (reset) reset.addEventListener("click", function () { sessionStorage.removeItem(STORE); });

    conv.addEventListener("submit", async function (ev) {
      const f = ev.target.closest("form.feedback");
      if (!f) return;
      ev.preventDefault();
      const vote = ev.submitter && ev.submitter.value === "down" ? "down" : "up";
      const data = new FormData(f);
      const body = {
        question: data.get("question"), history: data.getAll("history"), answer: data.get("answer"),
        vote: vote, kind: data.get("kind") || "", answered: data.get("answered") === "true",
      };
      const corr = (data.get("correction") || "").trim();
      if (corr) body.correction = corr;
      try {
        await postJson("/api/feedback", body);
        f.replaceChildren(el("span", "thanks", "Thanks, your thumbs " + vote + " was recorded."));
      } catch (err) {
        f.appendChild(el("span", "error-note", err.message));
      }
    });
    box.focus();
  }

  function initPassage() {
    const target = document.querySelector(".passage mark") || document.getElementById("passage");
    if (target) target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("ask");
    if (form) initChat(form);
    if (document.getElementById("passage")) initPassage();
  });
})();
