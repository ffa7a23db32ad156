"""Shared by the load scripts' plot steps (plot-smtp-load.py, plot-imap-load.py): grouped, labelled bars."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (after choosing the backend; re-exported for the plot scripts)


def grouped_bars(ax, categories, series, fmt="{:,.0f}"):
    """One group of bars per category, one bar per series (label, colour, values in category order), each bar
    labelled with its value; missing values are drawn as 0."""
    width = 0.8 / len(series)
    for k, (label, colour, values) in enumerate(series):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(categories))]
        ys = [v or 0.0 for v in values]
        bars = ax.bar(xs, ys, width, label=label, color=colour)
        for bar, y in zip(bars, ys):
            ax.annotate(fmt.format(y), (bar.get_x() + bar.get_width() / 2, y), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(categories)
