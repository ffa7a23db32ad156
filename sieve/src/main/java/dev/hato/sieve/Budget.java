package dev.hato.sieve;

/**
 * What one evaluation of a script may spend (ADR 0011, "Run-time bounds"): steps (a test, a value compared, 64 chars
 * scanned by a matcher) and a deadline on {@link System#nanoTime()}, checked as the steps are taken. Sieve has no
 * loops, but a script's tests run over values an attacker writes (headers, body), so every matcher charges its work
 * here and stops when the budget is spent. One per evaluation; not thread-safe.
 */
public final class Budget {

    /** How many steps pass between two looks at the clock. */
    private static final int CLOCK_EVERY = 1024;

    private final long deadlineNanos;
    private long stepsLeft;
    private int untilClock = CLOCK_EVERY;

    /**
     * @param maxSteps   steps this evaluation may take, at least 1
     * @param maxNanos   time it may take from now, at least 1
     */
    public Budget(long maxSteps, long maxNanos) {
        if (maxSteps < 1 || maxNanos < 1) {
            throw new IllegalArgumentException("a budget needs at least one step and one nanosecond");
        }
        this.stepsLeft = maxSteps;
        this.deadlineNanos = System.nanoTime() + maxNanos;
    }

    /** A budget no script of Hato's limits reaches; for tests and tools. */
    public static Budget generous() {
        return new Budget(Long.MAX_VALUE / 2, Long.MAX_VALUE / 4);
    }

    /** Takes {@code n} steps; throws {@link Exhausted} when the steps or the time are spent. */
    public void spend(long n) {
        stepsLeft -= n;
        if (stepsLeft < 0) {
            throw new Exhausted("the script took more than its steps");
        }
        untilClock -= (int) Math.min(n, CLOCK_EVERY);
        if (untilClock <= 0) {
            untilClock = CLOCK_EVERY;
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new Exhausted("the script ran out of time");
            }
        }
    }

    /** The evaluation spent its budget; the message is kept (RFC 5228 §2.10.6: an error means implicit keep). */
    public static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Exhausted(String message) {
            super(message, null, false, false);
        }
    }
}
