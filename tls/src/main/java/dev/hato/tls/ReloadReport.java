package dev.hato.tls;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a reload did, one line per configured certificate: what {@code hato tls reload} prints and what the server
 * logs. A refused line means the files on disk are not served; the certificate loaded before still is.
 *
 * @param lines the default certificate first, then the named ones in configured order
 */
public record ReloadReport(List<Line> lines) {

    /** What happened to one certificate. */
    public enum Status {
        /** New files were valid and are served from now on. */
        LOADED,
        /** The files hold what was already served. */
        UNCHANGED,
        /** The new files are not a valid pair; the certificate loaded before is still served. */
        REFUSED,
        /** The generated self-signed certificate: no files of the operator's to reload. */
        SELF_SIGNED
    }

    /**
     * @param status what happened
     * @param role {@code default} or {@code named N} (N counting from 0, as in {@code hato.tls.certificates[N]})
     * @param text what is served now (subject names, issuer, not-after, fingerprint, files), after the reason of a
     *     refusal
     */
    public record Line(Status status, String role, String text) {
        @Override
        public String toString() {
            return role + ": " + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ": " + text;
        }
    }

    public ReloadReport {
        lines = List.copyOf(lines);
    }

    /** True when some new files were refused. */
    public boolean refused() {
        return lines.stream().anyMatch(line -> line.status() == Status.REFUSED);
    }

    /** One line per certificate, as {@code hato tls reload} prints them. */
    @Override
    public String toString() {
        return lines.stream().map(Line::toString).collect(Collectors.joining("\n"));
    }
}
