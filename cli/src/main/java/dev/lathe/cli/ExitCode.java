package dev.lathe.cli;

import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.graph.files.OutputFileException;
import dev.lathe.graph.infer.ShapeInferenceException;
import dev.lathe.graph.serde.OnnxFormatException;
import dev.lathe.graph.validate.ModelValidationException;
import dev.lathe.runtime.InputMismatchException;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.data.CorruptImageException;
import dev.lathe.runtime.io.NpyFormatException;
import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.apache.commons.cli.ParseException;

/**
 * The exit codes of every command: 0 success, 2 the user can fix it (a flag, a missing or malformed file, an output
 * that cannot be written, a runtime that is not installed), 1 an internal error (a bug: please report it).
 */
public final class ExitCode {
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int USER_ERROR = 2;

    private ExitCode() {}

    /** The code for a failure, by its kind; the same kind gives the same code in every command. */
    static int of(Throwable e) {
        boolean user = e instanceof UserError || e instanceof ParseException || e instanceof OnnxFormatException
                || e instanceof RuntimeUnavailableException || e instanceof InputMismatchException
                || e instanceof OutputFileException || e instanceof NoSuchFileException
                || e instanceof FileNotFoundException || e instanceof AccessDeniedException
                || e instanceof CheckpointFormatException || e instanceof NpyFormatException
                || e instanceof CorruptImageException || e instanceof dev.lathe.converter.deploy.PackageException || e instanceof ModelValidationException || e instanceof ShapeInferenceException;
        return user ? USER_ERROR : INTERNAL_ERROR;
    }
}
