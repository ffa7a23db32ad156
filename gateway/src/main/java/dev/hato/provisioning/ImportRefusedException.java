package dev.hato.provisioning;

import java.util.List;

/** An import refused before anything was written: every bad row with its line, in the order of the input. */
public final class ImportRefusedException extends ProvisioningException {

    private final List<ImportProblem> problems;

    public ImportRefusedException(List<ImportProblem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<ImportProblem> problems() {
        return problems;
    }

    private static String summary(List<ImportProblem> problems) {
        long rows = problems.stream().mapToInt(ImportProblem::line).distinct().count();
        return rows + (rows == 1 ? " bad row" : " bad rows") + ", nothing imported";
    }
}
