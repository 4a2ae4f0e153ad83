"""Self-contained HTML pages: the page, its tables, and figures drawn by matplotlib as inline SVG (no file or
network beside the page), shared by the kit's reports."""
from __future__ import annotations

import html
import io
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; } figcaption { font-weight: 600; margin-bottom: 0.3em; }
.late { color: #a34700; } .bad { color: #b00020; } .muted { color: #666; }
"""
RC = {"svg.fonttype": "none", "svg.hashsalt": "autograder", "font.size": 9}
BLUE, ORANGE = "#3b6ea5", "#e08a2c"


def plot_axes(width: float, height: float):
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def svg(figure: Figure) -> str:
    stream = io.StringIO()
    with matplotlib.rc_context(RC):
        figure.savefig(stream, format="svg", metadata={"Date": None})
    text = stream.getvalue()
    return text[text.index("<svg"):]  # drop the XML declaration and doctype: the SVG is inline in the page


def page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def figure(figure_id: str, caption: str, drawing: str) -> str:
    return f"<figure id='{figure_id}'><figcaption>{escape(caption)}</figcaption>{drawing}</figure>"


def table(header: list, rows: list[list], table_id: str) -> str:
    """``header`` and cells are text, or (text, CSS class)."""
    def cell(tag: str, value) -> str:
        text, css = value if isinstance(value, tuple) else (value, "")
        return f"<{tag} class='{css}'>{escape(text)}</{tag}>" if css else f"<{tag}>{escape(text)}</{tag}>"
    head = "".join(cell("th", column) for column in header)
    lines = "\n".join("<tr>" + "".join(cell("td", value) for value in row) + "</tr>" for row in rows)
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>\n{lines}\n</tbody></table>"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def escape(text) -> str:
    return html.escape(str(text), quote=True)
