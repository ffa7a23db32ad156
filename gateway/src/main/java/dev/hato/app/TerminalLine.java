package dev.hato.app;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBarConsumer;

/** A progress bar's line on a terminal: redrawn in place with a carriage return (the commands' progress). */
record TerminalLine(PrintWriter err) implements ProgressBarConsumer {
    @Override
    public int getMaxRenderedLength() {
        try {
            return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")) - 1);
        } catch (NumberFormatException e) {
            return 99;
        }
    }

    @Override
    public void accept(String line) {
        err.print('\r' + line);
        err.flush();
    }

    @Override
    public void close() {
        err.println();
        err.flush();
    }
}
