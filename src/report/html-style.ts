// The page's stylesheet, inline: the page is one file that opens offline.
export const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --err: #8250df; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 24px; max-width: 1100px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h2 small { color: var(--muted); font-weight: normal; font-size: 13px; }
.summary { margin: 0 0 20px; color: var(--muted); }
.summary.pass::before { content: "✔ "; color: var(--ok); }
.summary.fail::before { content: "✘ "; color: var(--bad); }
section.op { border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 0 0 18px; }
section.op.fail { border-left: 4px solid var(--bad); }
section.op.error { border-left: 4px solid var(--err); }
section.op.pass { border-left: 4px solid var(--ok); }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 2px 7px; border-radius: 4px; color: #fff; vertical-align: 2px; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.error { background: var(--err); } .badge.skipped { background: #6b7280; }
.error { color: var(--err); font-family: ui-monospace, Menlo, Consolas, monospace; }
.diagnoses { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; padding: 8px 8px 8px 28px; }
.plots { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
details table { margin-top: 4px; }
figure { margin: 0; max-width: 420px; }
figcaption { font-size: 12.5px; color: var(--muted); }
table { border-collapse: collapse; margin: 12px 0 4px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 2px 9px; text-align: left; font-size: 13px; }
th { background: #f6f8fa; }
tr.bad td:last-child, td.bad { color: var(--bad); }
tr.ok td:last-child, td.ok { color: var(--ok); }
td.min { color: #0969da; font-weight: 700; }
details summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
svg { background: #fff; font-family: system-ui, sans-serif; }
svg .frame { fill: none; stroke: #8c959f; }
svg .grid { stroke: #eaeef2; }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis { font-size: 11px; fill: #1f2328; }
svg .band { fill: #1a7f37; opacity: 0.1; }
svg .tolerance { stroke: #bf8700; stroke-dasharray: 5 4; stroke-width: 1.5; }
svg .tolerance-label { font-size: 10px; fill: #9a6700; }
svg .curve { fill: none; stroke: #0969da; stroke-width: 1.8; }
svg .point.ok { fill: var(--ok); } svg .point.bad { fill: var(--bad); }
svg .minimum { fill: none; stroke: #0969da; stroke-width: 2; }
svg .minimum-label { font-size: 11px; font-weight: 600; fill: #0969da; }
.plots figure { max-width: 440px; }
.scrub { margin: 4px 0 8px; font-size: 13px; }
.scrub .control { display: flex; align-items: center; gap: 8px; }
.scrub .control input { flex: 1; accent-color: #0969da; }
.scrub .control output { font-weight: 700; min-width: 3.2em; font-variant-numeric: tabular-nums; }
.scrub .control small { color: var(--muted); font-size: 11px; }
.scrub p { margin: 2px 0; }
.scrub .err.ok { color: var(--ok); } .scrub .err.bad { color: var(--bad); }
.scrub .side, .scrub .above { color: var(--muted); }
.scrub .worst { font-variant-numeric: tabular-nums; }
.scrub .legend { color: var(--muted); font-size: 11px; }
.scrub .note { color: var(--muted); font-style: italic; font-size: 12px; }
.scrub .note:empty, .scrub .worst:empty, .scrub .above:empty { display: none; }
.scrub .elements { display: flex; gap: 12px; align-items: flex-end; flex-wrap: wrap; margin: 6px 0 2px; }
.scrub canvas.heat { border: 1px solid var(--line); image-rendering: pixelated; background: #f6f8fa; }
.scrub canvas.heat.empty { background: repeating-linear-gradient(45deg, #f6f8fa, #f6f8fa 4px, #eaeef2 4px, #eaeef2 8px); }
svg.curve .cursor line { stroke: #0969da; stroke-width: 1.2; opacity: 0.55; }
svg.curve .point { cursor: pointer; }
svg.curve .point.current { stroke: #0969da; stroke-width: 3; r: 5.5; }
svg.histogram .bar.ok { fill: var(--ok); } svg.histogram .bar.bad { fill: var(--bad); } svg.histogram .bar.nonfinite { fill: var(--err); }
svg.histogram .axis { stroke: #8c959f; }
svg.histogram .tolerance { stroke: #bf8700; stroke-dasharray: 4 3; stroke-width: 1.5; }
svg.histogram .tick { font-size: 9.5px; fill: var(--muted); }
.joint { margin: 8px 0; }
.joint .inputs-list { color: var(--muted); }
`;
