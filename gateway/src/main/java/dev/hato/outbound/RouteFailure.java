package dev.hato.outbound;

/** No server to try for a destination: the domain does not exist, refuses mail (null MX), or DNS failed. */
final class RouteFailure extends RuntimeException {

    private final boolean permanent;
    private final String status;

    RouteFailure(boolean permanent, String status, String reason) {
        super(reason, null, false, false);
        this.permanent = permanent;
        this.status = status;
    }

    boolean permanent() {
        return permanent;
    }

    String status() {
        return status;
    }
}
