"""report.json, report.md (+ figures/*.png) and a self-contained report.html."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from tapeflow.flows.engine.atomic import write_json_atomic, write_text_atomic

from .run_data import ReportError, RunData
from .sections import Section, Table, build_sections, stage_table
from .verdict import Verdict, verdicts


def write_report(run: RunData, out_dir: Path) -> dict[str, Path]:
    """Everything is composed before the first file is written, so a manifest
    the report cannot use leaves no report behind that looks valid."""
    try:
        sections = build_sections(run)
        stages = stage_table(run)
        answers = verdicts(run)
        texts = (_as_json(run, sections, stages, answers),
                 _as_markdown(run, sections, stages, answers),
                 _as_html(run, sections, stages, answers))
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError,
            IndexError) as error:
        raise ReportError(f"the manifest of {run.run_dir} holds values the report cannot "
                          f"use ({type(error).__name__}: {str(error)[:120]}); run "
                          f"`tapeflow run` again to rewrite it") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_dir = out_dir / "figures"
    figures_dir.mkdir(exist_ok=True)
    for section in sections:
        for figure in section.figures:
            (figures_dir / f"{figure.name}.png").write_bytes(figure.png)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md",
             "html": out_dir / "report.html"}
    write_json_atomic(paths["json"], texts[0])
    write_text_atomic(paths["markdown"], texts[1])
    write_text_atomic(paths["html"], texts[2])
    return paths


def _title(run: RunData) -> str:
    return f"tapeflow report: {run.design} {run.tag}"


def _as_json(run: RunData, sections: list[Section], stages: Table,
             answers: list[Verdict]) -> dict:
    return {
        "design": run.design, "tag": run.tag, "parameters": run.parameters,
        "verdict": [vars(v) for v in answers],
        "tapeflow_version": run.tapeflow_version, "run_dir": str(run.run_dir),
        "stages": [dict(zip(stages.columns, row)) for row in stages.rows],
        "layers": {s.layer: {
            "title": s.title,
            "metrics": [{**m.as_dict(), "stage": stage} for m, stage in s.metrics],
            "tables": [{"title": t.title, "columns": t.columns, "rows": t.rows}
                       for t in s.tables],
            "figures": [f"figures/{f.name}.png" for f in s.figures],
            "notes": s.notes,
        } for s in sections},
    }


def _md_table(table: Table) -> str:
    lines = [f"**{table.title}**", "", "| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"
              for row in table.rows]
    return "\n".join(lines) + "\n"


def _metric_table(section: Section) -> Table:
    return Table("Metrics", ["metric", "value", "unit", "stage", "source", "file"],
                 [[m.name, m.value, m.unit, stage, m.source, m.file or ""]
                  for m, stage in section.metrics])


#: a verdict's mark where no colour is shown
_MARK = {"green": "✅", "amber": "⚠️", "red": "❌"}
#: tables longer than this fold (<details>), so the page reads top-down
FOLD_ROWS = 12


def _verdict_table(answers: list[Verdict]) -> Table:
    return Table("Can I tape this out?", ["question", "", "answer", "detail"],
                 [[v.question, _MARK[v.state], v.answer, v.detail] for v in answers])


def _as_markdown(run: RunData, sections: list[Section], stages: Table,
                 answers: list[Verdict]) -> str:
    parts = [f"# {_title(run)}", "", _md_table(_verdict_table(answers)),
             "Parameters: " + ", ".join(f"`{k}={v}`" for k, v in run.parameters.items()), "",
             _md_table(stages)]
    for section in sections:
        parts += [f"## {section.title}", ""]
        parts += [f"_{note}_\n" for note in section.notes]
        parts += [_md_table(table) for table in section.tables]
        parts += [f"![{f.caption}](figures/{f.name}.png)\n"
                  + (f"\n[full-size picture]({f.link})\n" if f.link else "")
                  for f in section.figures]
        if section.metrics:
            parts.append(_md_table(_metric_table(section)))
    return "\n".join(parts)


_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.4em; } h2 { border-bottom: 2px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } caption { font-weight: bold; text-align: left; padding: 4px 0; }
.passed { color: #17702a; } .failed { color: #b00020; } .skipped { color: #8a6d00; }
.note { color: #666; font-style: italic; } img { max-width: 100%; }
.first { display: flex; gap: 1.5em; align-items: flex-start; }
.first table { font-size: 0.95em; flex: 1; } .first figure { width: 42%; margin: 0; }
.badge { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; }
.green { background: #2e9e44; } .amber { background: #e0a800; } .red { background: #c62828; }
summary { cursor: pointer; font-weight: bold; margin: 0.6em 0; }
"""

# Marks the page once every embedded picture has decoded, so a headless
# browser (and the tests) can tell that all images loaded.
_IMAGES_LOADED = """
<script>
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-loaded", ok.length + "/" + images.length);
  // the page's full height at this width, so a screenshot can take all of it
  document.body.setAttribute("data-page-height",
                             String(document.documentElement.scrollHeight));
});
</script>
"""


def _html_table(table: Table, status_column: int | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row):
            css = f' class="{html.escape(str(cell).split()[0])}"' \
                if index == status_column and cell else ""
            cells.append(f"<td{css}>{html.escape(str(cell))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><caption>{html.escape(table.title)}</caption><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def _verdict_panel(answers: list[Verdict], sections: list[Section]) -> str:
    """The first screen: the answers, and beside them the layout (or the
    floorplan of the chosen tile when there is no GDS yet)."""
    rows = "".join(
        f'<tr><td>{html.escape(v.question)}</td><td><span class="badge {v.state}" '
        f'title="{v.state}"></span></td><td class="verdict-{v.state}">{html.escape(v.answer)}'
        f'</td><td><a href="#{v.detail}">{v.detail}</a></td></tr>' for v in answers)
    table = (f'<table id="verdict"><caption>Can I tape this out?</caption>'
             f"<tr><th>question</th><th></th><th>answer</th><th>detail</th></tr>{rows}</table>")
    picture = next((f for s in sections for f in s.figures if f.name == "layout"), None) \
        or next((f for s in sections for f in s.figures if f.name == "tile_floorplan"), None)
    figure = ""
    if picture is not None:
        data = base64.b64encode(picture.png).decode()
        figure = (f'<figure><img alt="{html.escape(picture.caption)}" '
                  f'src="data:image/png;base64,{data}"><figcaption>'
                  f"{html.escape(picture.caption)}</figcaption></figure>")
    return f'<div class="first">{table}{figure}</div>'


def _folded(table: Table, status_column: int | None = None) -> str:
    rendered = _html_table(table, status_column)
    if len(table.rows) <= FOLD_ROWS:
        return rendered
    return (f"<details><summary>{html.escape(table.title)} ({len(table.rows)} rows)</summary>"
            f"{rendered}</details>")


def _as_html(run: RunData, sections: list[Section], stages: Table,
             answers: list[Verdict]) -> str:
    body = [f"<h1>{html.escape(_title(run))}</h1>", _verdict_panel(answers, sections),
            "<p>" + ", ".join(f"<code>{html.escape(f'{k}={v}')}</code>"
                              for k, v in run.parameters.items()) + "</p>",
            f'<div id="stages">{_folded(stages, status_column=2)}</div>']
    for section in sections:
        body.append(f'<h2 id="{section.layer}">{html.escape(section.title)}</h2>')
        body += [f'<p class="note">{html.escape(note)}</p>' for note in section.notes]
        for figure in section.figures:
            data = base64.b64encode(figure.png).decode()
            image = (f'<img alt="{html.escape(figure.caption)}" '
                     f'src="data:image/png;base64,{data}">')
            if figure.link:
                image = (f'<a href="{html.escape(figure.link)}">{image}</a><figcaption>'
                         f'<a href="{html.escape(figure.link)}">full-size picture</a>'
                         f'</figcaption>')
            body.append(f"<figure>{image}</figure>")
        body += [_folded(table) for table in section.tables]
        if section.metrics:
            metrics = _metric_table(section)
            body.append(f"<details><summary>All {len(metrics.rows)} metrics of "
                        f"{html.escape(section.layer)}, with unit, stage, tool and file"
                        f"</summary>{_html_table(metrics)}</details>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(_title(run))}</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(body)}{_IMAGES_LOADED}</body></html>\n")
