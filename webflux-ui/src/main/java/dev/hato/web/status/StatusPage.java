package dev.hato.web.status;

/** Plain HTML, every value escaped; no scripts. */
final class StatusPage {

    private StatusPage() { }

    static String render(StatusReport report) {
        StringBuilder html = new StringBuilder(2048)
                .append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Hato ").append(escape(report.hostName())).append("</title></head><body>\n")
                .append("<h1>Hato is running</h1>\n")
                .append("<p>Host <b>").append(escape(report.hostName())).append("</b>, version ")
                .append(escape(report.version())).append("</p>\n")
                .append("<p>Store: ").append(escape(report.store())).append("</p>\n")
                .append("<p>TLS: ").append(escape(report.tls())).append("</p>\n")
                .append("<p>").append(report.domains()).append(" domains, ").append(report.accounts())
                .append(" accounts</p>\n")
                .append("<table><thead><tr><th>Listener</th><th>Address</th><th>Security</th></tr></thead><tbody>\n");
        for (StatusReport.Listener listener : report.listeners()) {
            html.append("<tr><td>").append(escape(listener.name())).append("</td><td>")
                    .append(escape(listener.address())).append("</td><td>").append(escape(listener.security()))
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table>\n<h2>Health</h2>\n<ul>\n");
        for (var component : report.health().entrySet()) {
            html.append("<li>").append(escape(component.getKey())).append(": ").append(escape(component.getValue()))
                    .append("</li>\n");
        }
        return html.append("</ul>\n</body></html>\n").toString();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
