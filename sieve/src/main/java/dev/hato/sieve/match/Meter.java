package dev.hato.sieve.match;

import dev.hato.sieve.Budget;

/**
 * Charges a matcher's work to the {@link Budget}: one step for the operation, then one per 64 characters compared or
 * folded (ADR 0011, "Run-time bounds"), so the cost of a match is proportional to the work it does.
 */
final class Meter {

    private static final int UNITS_PER_STEP = 64;

    private final Budget budget;
    private int pending;

    Meter(Budget budget) {
        this.budget = budget;
        budget.spend(1);
    }

    void tick() {
        if (++pending == UNITS_PER_STEP) {
            pending = 0;
            budget.spend(1);
        }
    }

    void ticks(int units) {
        pending += units;
        if (pending >= UNITS_PER_STEP) {
            budget.spend(pending / UNITS_PER_STEP);
            pending %= UNITS_PER_STEP;
        }
    }
}
