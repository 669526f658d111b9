"""Two parts of the static site drawn here: a narrative's page, which reads like a press release
followed by its FAQ, and the review page's metrics deck, a small SVG chart per metric (6 weeks
and 12 months) with the target line, week-over-week change and the noteworthy events beside
their week. Every piece of record text is escaped; styles come from ``assets/style.css`` (the
pages' Content-Security-Policy allows no inline style)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from declog.deck import Deck, Slide, Trend

Link = Callable[[object, str], str]  # Site.link(rid, prefix)

SPARK_W, SPARK_H = 300, 110
PAD_L, PAD_R, PAD_T, PAD_B = 44, 10, 14, 22


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def prose(text: Any) -> str:
    """Paragraphs of a text field: blank lines separate them, line breaks inside are kept."""
    if not isinstance(text, str) or not text.strip():
        return ""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "".join(f'<p class="prose">{e(p.strip())}</p>' for p in paragraphs)


# -- the narrative page -------------------------------------------------------------------------

def narrative_html(data: dict[str, Any], link: Link, prefix: str, status_badge: Callable[[str], str],
                   label: Callable[[str], str]) -> str:
    """The PR/FAQ: the press release (sub-heading, release, quote, getting started, then the
    customer, problem and solution), the external FAQ, the internal FAQ, success metrics, the
    decisions it led to, and any other sections under their own headings."""
    parts: list[str] = ['<article class="prfaq">']
    release = ['<section class="press-release"><h2>Press release</h2>']
    if data.get("subtitle"):
        release.append(f'<p class="subtitle">{e(data["subtitle"])}</p>')
    release.append(prose(data.get("press_release")))
    if data.get("quote"):
        release.append(f'<blockquote class="quote">{prose(data["quote"])}</blockquote>')
    for key, title in (("customer", "The customer"), ("problem", "The problem"), ("solution", "The solution"),
                       ("getting_started", "Getting started")):
        if data.get(key):
            release.append(f'<h3>{title}</h3>{prose(data[key])}')
    release.append("</section>")
    parts += release
    faq = [q for q in data.get("faq") or [] if isinstance(q, dict)]
    for audience, title in (("external", "FAQ: customers"), ("internal", "FAQ: internal")):
        entries = [q for q in faq if q.get("audience", "external") == audience]
        if not entries:
            continue
        rows = []
        for q in entries:
            answer = prose(q.get("answer")) or '<p class="unanswered">Not answered yet.</p>'
            rows.append(f'<dt class="question">{e(q.get("question", ""))}</dt><dd class="answer">{answer}</dd>')
        parts.append(f'<section class="faq" data-audience="{audience}"><h2>{title}</h2>'
                     f'<dl>{"".join(rows)}</dl></section>')
    metrics = [m for m in data.get("success_metrics") or [] if isinstance(m, dict)]
    if metrics:
        items = []
        for m in metrics:
            where = f" ({link(m['mechanism'], prefix)})" if isinstance(m.get("mechanism"), str) else ""
            target = f": target {e(m['target'])}" if m.get("target") else ""
            items.append(f"<li><strong>{e(m.get('metric', ''))}</strong>{where}{target}</li>")
        parts.append(f'<section class="success-metrics"><h2>Success metrics</h2><ul>{"".join(items)}</ul></section>')
    decisions = [d for d in data.get("decisions") or [] if isinstance(d, str)]
    if decisions:
        parts.append('<section class="led-to"><h2>Decisions it led to</h2><ul>' + "".join(
            f"<li>{link(d, prefix)} {e(label(d))} {status_badge(d)}</li>" for d in decisions) + "</ul></section>")
    for section in data.get("sections") or []:
        if isinstance(section, dict):
            parts.append(f'<section class="more"><h2>{e(section.get("heading", ""))}</h2>'
                         f'{prose(section.get("text"))}</section>')
    parts.append("</article>")
    return "".join(parts)


# -- the deck -----------------------------------------------------------------------------------

def trend_svg(t: Trend, labels: Sequence[str], values: Sequence[float | None], what: str,
              events: Sequence[tuple[int, str]] = ()) -> str:
    """A small chart of one window: a point per week (or month) with a reading, lines only
    between neighbours that both have one, the target as a dashed line, events as marks."""
    present = [v for v in values if v is not None]
    unit = f" {t.unit}" if t.unit else ""
    head = (f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{SPARK_W}" height="{SPARK_H}" '
            f'viewBox="0 0 {SPARK_W} {SPARK_H}" role="img" data-metric="{e(t.metric)}" data-window="{what}" '
            f'aria-label="{e(t.metric)}, last {what}">'
            f"<title>{e(t.metric)}{e(unit)}, last {what}: {len(present)} of {len(values)} with a reading</title>")
    inner_w, inner_h = SPARK_W - PAD_L - PAD_R, SPARK_H - PAD_T - PAD_B
    n = len(values)

    def x(i: int) -> float:
        return PAD_L + inner_w * (i + 0.5) / n

    scale = present + ([t.target] if t.target is not None else [])
    parts = [head, f'<line class="axis" x1="{PAD_L}" y1="{PAD_T + inner_h}" x2="{PAD_L + inner_w}" '
                   f'y2="{PAD_T + inner_h}"/>']
    step = 1 if n <= 6 else 4
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            short = label.split("-", 1)[1] if what == "6 weeks" else label
            parts.append(f'<text class="tick" x="{x(i):.1f}" y="{SPARK_H - 6}" text-anchor="middle">{e(short)}</text>')
    for i, note in events:
        parts.append(f'<path class="event" d="M{x(i) - 4:.1f},{PAD_T - 10} l8,0 l-4,7 z"><title>{e(note)}</title></path>')
    if not scale:
        parts.append(f'<text class="none" x="{PAD_L + inner_w / 2:.1f}" y="{PAD_T + inner_h / 2:.1f}" '
                     f'text-anchor="middle">no readings</text></svg>')
        return "".join(parts)
    lo, hi = min(scale), max(scale)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    span = hi - lo
    lo, hi = lo - span * 0.1, hi + span * 0.1

    def y(v: float) -> float:
        return PAD_T + inner_h * (hi - v) / (hi - lo)

    for tick in sorted({min(scale), max(scale)}):
        parts.append(f'<text class="tick" x="{PAD_L - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{_num(tick)}</text>')
    if t.target is not None:
        ty = y(t.target)
        parts.append(f'<line class="target" x1="{PAD_L}" y1="{ty:.1f}" x2="{PAD_L + inner_w}" y2="{ty:.1f}">'
                     f"<title>target {_num(t.target)}{e(unit)}</title></line>"
                     f'<text class="target-label" x="{PAD_L + 2}" y="{ty - 3:.1f}">target {_num(t.target)}</text>')
    run: list[str] = []
    for i, value in enumerate([*values, None]):
        if value is not None:
            run.append(f"{x(i):.1f},{y(value):.1f}")
            continue
        if len(run) > 1:
            parts.append(f'<polyline class="series" points="{" ".join(run)}"/>')
        run = []
    for i, reading in enumerate(values):
        if reading is not None:
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(reading):.1f}" r="3">'
                         f"<title>{e(labels[i])}: {_num(reading)}{e(unit)}</title></circle>")
        else:
            parts.append(f'<circle class="gap" cx="{x(i):.1f}" cy="{PAD_T + inner_h:.1f}" r="2">'
                         f"<title>{e(labels[i])}: no reading</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def _change(t: Trend) -> str:
    from declog.render_review import change_text

    return change_text(t)


def _slide(deck: Deck, s: Slide, link: Link) -> str:
    from declog.render_review import sparse_notes, target_text

    events = [(deck.weeks.index(ev.week), f"{ev.week}: {ev.note}") for ev in s.events if ev.week in deck.weeks]
    figures = []
    for t in s.trends:
        state = {True: "on target", False: "off target", None: ""}[t.on_target]
        notes = "".join(f'<p class="sparse">{e(n)}</p>' for n in sparse_notes(t, s.cadence))
        figures.append(
            f'<figure class="trend {e(t.role)}" data-metric="{e(t.metric)}">'
            f'<figcaption><span class="role">{e(t.role)}</span> <strong>{e(t.metric)}</strong>'
            f'{e(" (" + t.unit + ")") if t.unit else ""} · week over week <span class="wow">{e(_change(t))}</span>'
            f' · target {e(target_text(t))}{(" · " + state) if state else ""}</figcaption>'
            f"{trend_svg(t, deck.weeks, t.weeks, '6 weeks', events)}"
            f"{trend_svg(t, deck.months, t.months, '12 months')}{notes}</figure>")
    rows = "".join(f"<tr><th>{e(ev.week)}</th><td>{e(ev.on)}</td><td>{link(ev.inspection, '')}</td>"
                   f"<td>{e(ev.verdict or '')}</td><td>{e(ev.note)}</td></tr>" for ev in s.events)
    table = ('<table class="events"><caption>Noteworthy events</caption><thead><tr><th>week</th><th>on</th>'
             f"<th>inspection</th><th>verdict</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>"
             if rows else "")
    cadence = f", inspected {e(s.cadence)}" if s.cadence else ""
    body = "".join(figures) or '<p class="empty">No metrics.</p>'
    return (f'<section class="slide" id="deck-{e(s.mechanism)}"><h3>{link(s.mechanism, "")} {e(s.name)} '
            f'<span class="why">(owner {link(s.owner, "")}{cadence})</span></h3>'
            f'<div class="trends">{body}</div>{table}</section>')


def deck_html(deck: Deck, link: Link, title: str) -> str:
    slides = "".join(_slide(deck, s, link) for s in deck.slides)
    return (f'<section class="review deck"><h2>{e(title)} <span class="count">({len(deck.slides)})</span></h2>'
            f'<p class="note">Weeks {e(deck.weeks[0])} to {e(deck.weeks[-1])}, months {e(deck.months[0])} to '
            f"{e(deck.months[-1])}. A week without a reading is a gap, never the last value carried on.</p>"
            + (slides or '<p class="empty">None.</p>') + "</section>")


STYLE = """
article.prfaq .subtitle { font-size: 1.15rem; font-style: italic; color: var(--muted); }
article.prfaq blockquote.quote { border-left: 4px solid var(--accent); margin: 1rem 0; padding: .2rem 1rem; }
article.prfaq dt.question { font-weight: 600; margin-top: .8rem; }
article.prfaq dd.answer { margin-left: 1.2rem; }
article.prfaq .unanswered { color: #c0392b; font-style: italic; }
section.slide { border-top: 1px solid var(--line); padding-top: .6rem; }
section.slide .trends { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.trend { margin: 0; }
figure.trend figcaption { font-size: .85rem; margin-bottom: .2rem; }
figure.trend .sparse { color: #b9770e; font-size: .8rem; margin: .2rem 0; }
svg.spark { background: #fbfcfd; border: 1px solid var(--line); border-radius: 4px; margin-right: .4rem; }
svg.spark .axis { stroke: #8a96a3; stroke-width: 1; }
svg.spark .tick, svg.spark .none { font: 10px system-ui, sans-serif; fill: var(--muted); }
svg.spark .series { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.spark .point { fill: var(--accent); }
svg.spark .gap { fill: none; stroke: #8a96a3; stroke-width: 1; }
svg.spark .target { stroke: #c0392b; stroke-width: 1.2; stroke-dasharray: 5 3; }
svg.spark .event { fill: #b9770e; }
svg.spark .target-label { font: 9px system-ui, sans-serif; fill: #c0392b; }
table.events caption { text-align: left; font-weight: 600; }
"""
