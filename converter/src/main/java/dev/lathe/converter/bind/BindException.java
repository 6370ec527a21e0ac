package dev.lathe.converter.bind;

/** Strict binding found missing, unexpected or mismatched keys; the graph is unchanged. */
public class BindException extends Exception {
    private final BindReport report;

    BindException(BindReport report) {
        super(report.toText().strip());
        this.report = report;
    }

    public BindReport report() {
        return report;
    }
}
