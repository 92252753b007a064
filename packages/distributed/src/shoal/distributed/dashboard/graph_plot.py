"""The task graph the scheduler knows, drawn as dots coloured by state in a layered layout.

The layout is computed again only when tasks were added or forgotten (and at most every RELAYOUT_SECONDS);
between those, a refresh only recolours the drawn tasks.
"""

import time

from .graph_layout import NODE_LIMIT, layered_layout

STATE_COLORS = {"released": "#c7c7c7", "waiting": "#aec7e8", "queued": "#aec7e8", "no-worker": "#ff9896",
                "processing": "#1f77b4", "memory": "#2ca02c", "erred": "#d62728", "forgotten": "#ffffff"}
RELAYOUT_SECONDS = 2.0
EDGE_LIMIT = 4 * NODE_LIMIT


def graph_columns(nodes, edges):
    node_cols = {"x": [n["x"] for n in nodes], "y": [n["y"] for n in nodes],
                 "key": [str(n["key"]) for n in nodes], "state": [n["ts"].state for n in nodes]}
    node_cols["color"] = [STATE_COLORS.get(s, "black") for s in node_cols["state"]]
    shown = edges[:EDGE_LIMIT]
    edge_cols = {"x0": [nodes[a]["x"] for a, _ in shown], "y0": [nodes[a]["y"] for a, _ in shown],
                 "x1": [nodes[b]["x"] for _, b in shown], "y1": [nodes[b]["y"] for _, b in shown]}
    return node_cols, edge_cols


def note_text(total, limit=NODE_LIMIT):
    tasks = f"{total:,} task{'' if total == 1 else 's'}"
    if total > limit:
        return (f"<p>The scheduler knows {tasks}: the graph shows the first {limit:,} of them "
                f"(at most {limit:,} tasks are drawn). Click a task for its details.</p>")
    return f"<p>The scheduler knows {tasks} (at most {limit:,} are drawn). Click a task for its details.</p>"


def graph_plot(scheduler, counts, limit=NODE_LIMIT, **figure_kwargs):
    """The graph figure, a note on how much of it is drawn, and the update function."""
    from bokeh.models import ColumnDataSource, Div, HoverTool, OpenURL, TapTool
    from bokeh.plotting import figure

    nodes_source = ColumnDataSource(graph_columns([], [])[0])
    edges_source = ColumnDataSource(graph_columns([], [])[1])
    fig = figure(title="Task graph", toolbar_location="above", tools="pan,wheel_zoom,box_zoom,reset,save",
                 **figure_kwargs)
    fig.segment(x0="x0", y0="y0", x1="x1", y1="y1", source=edges_source, color="#999999", alpha=0.4)
    dots = fig.scatter(x="x", y="y", color="color", size=8, source=nodes_source, line_color="black",
                       line_width=0.5)
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[("key", "@key"), ("state", "@state")]),
                  TapTool(renderers=[dots], callback=OpenURL(url="/info/task/@key.html")))  # BokehJS URL-quotes @key
    fig.axis.visible = False
    fig.grid.visible = False
    note = Div(text=note_text(0, limit))
    drawn = {"version": None, "at": 0.0, "nodes": []}

    def update():
        now = time.monotonic()
        if drawn["version"] != counts.graph_version and now - drawn["at"] >= RELAYOUT_SECONDS:
            nodes, edges, total = layered_layout(scheduler.state.tasks, limit)
            drawn.update(version=counts.graph_version, at=now, nodes=nodes)
            node_cols, edge_cols = graph_columns(nodes, edges)
            nodes_source.data = node_cols
            edges_source.data = edge_cols
            note.text = note_text(total, limit)
            return
        states = [n["ts"].state for n in drawn["nodes"]]
        if states != nodes_source.data["state"]:
            nodes_source.data.update(state=states, color=[STATE_COLORS.get(s, "black") for s in states])

    return fig, note, update
