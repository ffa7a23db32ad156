package dev.hato.provisioning;

/**
 * How an import runs: {@code batchSize} rows per transaction, {@code hashingParallelism} Argon2id hashes at a time
 * (each holds its memory cost, 19 MiB by default, while it runs).
 */
public record ImportOptions(int batchSize, int hashingParallelism) {

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int MAX_BATCH_SIZE = 50_000;

    public ImportOptions {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new ProvisioningException("batch size must be between 1 and " + MAX_BATCH_SIZE);
        }
        if (hashingParallelism < 1) {
            throw new ProvisioningException("hashing parallelism must be at least 1");
        }
    }

    /** Batches of 500, one hash per available processor. */
    public static ImportOptions defaults() {
        return new ImportOptions(DEFAULT_BATCH_SIZE, Runtime.getRuntime().availableProcessors());
    }

    public ImportOptions withBatchSize(int size) {
        return new ImportOptions(size, hashingParallelism);
    }

    public ImportOptions withHashingParallelism(int parallelism) {
        return new ImportOptions(batchSize, parallelism);
    }
}
