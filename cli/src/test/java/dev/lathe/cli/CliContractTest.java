package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every command keeps, table-driven: exit codes (0 ok, 2 user error, 1 internal), one-line errors that
 * name the valid range or the file, --help everywhere, repeated flags refused, outputs checked before any work.
 */
class CliContractTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("image", DataType.FLOAT, "N", 3, 8, 8);
        x = b.ops().relu(nn.conv2d("conv1", x, 8, ConvAttrs.same(3), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 2, true), "logits");
        model = dir.resolve("tiny.onnx");
        Onnx.save(b.build(), model);
    }

    /** One bad invocation: its words (MODEL stands for the fixture), the exit code and a piece of the message. */
    record Case(String args, int code, String message) {
        String[] argv() {
            return Stream.of(args.split(" ")).map(a -> a.replace("MODEL", model.toString())
                    .replace("DIR", dir.toString())).toArray(String[]::new);
        }

        @Override
        public String toString() {
            return args;
        }
    }

    static List<Case> badFlags() {
        return List.of(
                new Case("prune MODEL --ratio NaN -o DIR/p.onnx", 2, "--ratio must be a number in [0, 1), got 'NaN'"),
                new Case("prune MODEL --ratio Infinity -o DIR/p.onnx", 2, "--ratio must be a number in [0, 1)"),
                new Case("prune MODEL --ratio -0.5 -o DIR/p.onnx", 2, "--ratio must be a number in [0, 1)"),
                new Case("prune MODEL --ratio 1 -o DIR/p.onnx", 2, "--ratio must be a number in [0, 1), got '1'"),
                new Case("prune MODEL --target-macs 0 -o DIR/p.onnx", 2, "--target-macs must be a number in (0, 1]"),
                new Case("prune MODEL --target-macs nan -o DIR/p.onnx", 2, "--target-macs must be a number in (0, 1]"),
                new Case("prune MODEL --ratio 0.3 --round-to 0 -o DIR/p.onnx", 2, "--round-to must be a positive integer"),
                new Case("prune MODEL --ratio 0.3 --max-ratio NaN -o DIR/p.onnx", 2, "--max-ratio must be a number in (0, 1]"),
                new Case("prune MODEL --ratio 0.3 --steps -1 -o DIR/p.onnx", 2, "--steps must be a positive integer"),
                new Case("prune MODEL --ratio 0.3 --ratio 0.5 -o DIR/p.onnx", 2, "--ratio is given twice"),
                new Case("serve MODEL --port 70000", 2, "--port must be"),
                new Case("serve MODEL --max-batch 0", 2, "--max-batch must be"),
                new Case("infer MODEL DIR --top-k 0", 2, "--top-k must be"),
                new Case("bench serve MODEL --clients 0", 2, "--clients must be"),
                new Case("package MODEL --format triton -o DIR/r --max-batch -1", 2, "--max-batch must be"),
                new Case("package MODEL --format onnx -o DIR/r", 2, "--format must be triton or bundle"),
                new Case("package MODEL --format bundle -o DIR/b --dynamic-batching", 2, "--dynamic-batching is for"
                        + " --format triton"),
                new Case("meta set MODEL nokeyvalue --in-place", 2, "'nokeyvalue' is not KEY=VALUE"),
                new Case("bench infer MODEL --threads 1000", 2, "--threads must be a positive integer, got '1000' (valid: 1 to "
                        + Flags.MAX_THREADS + ")"),
                new Case("bench infer MODEL --threads 0", 2, "--threads must be a positive integer"),
                new Case("bench infer MODEL --batch 1e9", 2, "--batch must be a positive integer"),
                new Case("bench infer MODEL --duration NaN", 2, "--duration must be a number in [0, 86400]"),
                new Case("bench infer MODEL --duration -1", 2, "--duration must be a number in [0, 86400]"),
                new Case("bench infer MODEL --warmup-ms -5", 2, "--warmup-ms must be an integer in [0, 3600000]"),
                new Case("bench infer MODEL --iterations 5 --iterations 6", 2, "--iterations is given twice"),
                new Case("run MODEL --threads 99999 --input image=x.npy -o DIR/out", 2, "--threads must be a positive integer"),
                new Case("train --model cifar_resnet56 --out DIR/t --lr NaN", 2, "--lr must be a number in [0, 10]"),
                new Case("train --model cifar_resnet56 --out DIR/t --lr Infinity", 2, "--lr must be a number in [0, 10]"),
                new Case("train --model cifar_resnet56 --out DIR/t --epochs 0", 2, "--epochs must be a positive integer"),
                new Case("train --model cifar_resnet56 --out DIR/t --label-smoothing 5", 2,
                        "--label-smoothing must be a number in [0, 1), got '5'"),
                new Case("train --model cifar_resnet56 --out DIR/t --momentum 7", 2, "--momentum must be a number in [0, 1)"),
                new Case("train --model cifar_resnet56 --out DIR/t --wd 1e300", 2, "--wd must be a number in [0, 1]"),
                new Case("train --model cifar_resnet56 --out DIR/t --epochs 3 --warmup -1", 2,
                        "--warmup must be a number in [0, 1000000000]"),
                new Case("train --model cifar_resnet56 --out DIR/t --workers 100000", 2, "--workers must be a positive integer"),
                new Case("bench train --model cifar_resnet56 --threads -2", 2, "--threads must be a positive integer"),
                new Case("train --model cifar_resnet56 --out DIR/t --data synthetic:imbalance=NaN", 2,
                        "must be a number in [1, 1000000], got 'NaN'"),
                new Case("train --model cifar_resnet56 --out DIR/t --data synthetic:size=100000000", 2,
                        "--data synthetic: size must be a positive integer, got '100000000' (valid: 1 to 1024)"),
                new Case("prune MODEL --criterion cic --data synthetic:classes=1 --ratio 0.5 -o DIR/p.onnx", 2,
                        "--data synthetic: classes must be an integer in [2, 1000000], got '1'"),
                new Case("zoo build cifar_resnet56 --classes 0 -o DIR/z.onnx", 2, "--classes must be a positive integer"),
                new Case("zoo build cifar_resnet56 --resolution 99999999 -o DIR/z.onnx", 2, "--resolution must be a positive integer"),
                new Case("inspekt MODEL", 2, "unknown command 'inspekt'; did you mean 'inspect'?"),
                new Case("bench infr MODEL", 2, "did you mean 'bench infer'?"),
                new Case("frobnicate", 2, "unknown command 'frobnicate'; Run 'lathe --help' for the list."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFlags")
    void badFlagsAreOneLineUserErrorsNamingTheValidRange(Case c) {
        CliRun r = lathe(c.argv());
        assertEquals(c.code(), r.code(), r.err());
        assertTrue(r.err().contains(c.message()), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /** Every command and every command group answers --help with exit code 0 and its usage. */
    static List<String> helpInvocations() {
        List<String> all = new ArrayList<>();
        for (Command c : Main.commands()) {
            all.add(c.name() + " --help");
            all.add(c.name() + " -h");
            if (c.name().contains(" ")) {
                all.add(c.name().split(" ")[0] + " --help");
            }
        }
        return all.stream().distinct().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helpInvocations")
    void everyCommandAndGroupAnswersHelp(String args) {
        CliRun r = lathe(args.split(" "));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("usage: lathe " + args.split(" ")[0]), r.out());
        assertEquals("", r.err());
    }

    @Test
    void importHelpIsNotHiddenByItsRequiredOutput() {
        CliRun r = lathe("import", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--classes"), r.out());
    }

    @Test
    void aBareGroupListsItsCommandsAndIsAUserError() {
        CliRun r = lathe("zoo");
        assertEquals(2, r.code());
        assertTrue(r.out().contains("zoo list") && r.out().contains("zoo build"), r.out());
    }

    @Test
    void versionIsPrinted() {
        CliRun r = lathe("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("lathe \\d+\\.\\d+\\.\\d+.*\\R"), r.out());
    }

    /** Output checks, for each command that writes a model: folder, missing folder, the input itself. */
    static List<Case> badOutputs() {
        return List.of(
                new Case("optimize MODEL -o DIR", 2, "cannot write " + "DIR" + ": it is a folder"),
                new Case("optimize MODEL -o DIR/missing/o.onnx", 2, "DIR/missing does not exist"),
                new Case("optimize MODEL -o MODEL", 2, "is the input file; write to another path, or pass --in-place"),
                new Case("prune MODEL --ratio 0.5 -o MODEL", 2, "is the input file"),
                new Case("prune MODEL --ratio 0.5 -o DIR/missing/p.onnx", 2, "DIR/missing does not exist"),
                new Case("prune MODEL --ratio 0.5 -o DIR/p.onnx --plan-out MODEL", 2, "is the input file"),
                new Case("import MODEL --onnx MODEL -o MODEL", 2, "is the input file"),
                new Case("zoo build cifar_resnet56 -o DIR", 2, "it is a folder"),
                new Case("bench inspect MODEL --save-to MODEL", 2, "is the input file"),
                new Case("run MODEL --input image=x.npy -o MODEL", 2, "it is a file, and a folder is needed"),
                new Case("run MODEL --input image=x.npy -o DIR/missing/deeper", 2, "DIR/missing does not exist"),
                new Case("train --model cifar_resnet56 --out MODEL", 2, "it is a file, and a folder is needed"),
                new Case("meta set MODEL name=x -o MODEL", 2, "is the input file"),
                new Case("meta set MODEL name=x -o DIR", 2, "it is a folder"),
                new Case("package MODEL --format triton -o MODEL", 2, "it is a file, and a folder is needed"),
                new Case("package MODEL --format bundle -o DIR/missing/b", 2, "DIR/missing does not exist"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOutputs")
    void badOutputsAreRefusedBeforeAnyWork(Case c) {
        CliRun r = lathe(c.argv());
        assertEquals(c.code(), r.code(), r.err());
        assertTrue(r.err().contains(c.message().replace("DIR", dir.toString())), r.err());
        assertFalse(Files.exists(dir.resolve("missing")), "no folder is created");
    }

    @Test
    void optimizeInPlaceReplacesTheInputAndWrittenFilesFollowTheUmask() throws Exception {
        Path copy = dir.resolve("inplace.onnx");
        Files.copy(model, copy);
        CliRun r = lathe("optimize", copy.toString(), "-o", copy.toString(), "--in-place");
        assertEquals(0, r.code(), r.err());
        Path out = dir.resolve("optimized.onnx");
        assertEquals(0, lathe("optimize", model.toString(), "-o", out.toString()).code());
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
        Path probe = Files.createFile(dir.resolve("probe"));
        Set<PosixFilePermission> umask = Files.getPosixFilePermissions(probe);
        assertEquals(PosixFilePermissions.toString(umask), PosixFilePermissions.toString(Files.getPosixFilePermissions(out)),
                "a new output gets the umask's permissions, not a temporary file's 0600");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void aWriteErrorNamesTheUsersFileAndTheReason() throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // as root a read-only folder is writable; /sys refuses new files even to root
            Path out = (Files.isWritable(ro) ? Path.of("/sys") : ro).resolve("lathe-o.onnx");
            assumeTrue(!Files.isWritable(ro) || !canCreate(out), "no folder here refuses a new file");
            CliRun r = lathe("optimize", model.toString(), "-o", out.toString());
            assertEquals(2, r.code(), r.err());
            assertEquals("lathe optimize: cannot write " + out + ": permission denied", r.err().strip());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canCreate(Path p) {
        try {
            Files.delete(Files.createFile(p));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void anInternalErrorExitsOneAndSaysSo() {
        assertEquals(1, ExitCode.of(new IllegalStateException("bug")));
        assertEquals(2, ExitCode.of(new UserError("bad flag")));
        assertEquals(2, ExitCode.of(new dev.lathe.graph.files.OutputFileException("cannot write x")));
        assertEquals(2, ExitCode.of(new java.nio.file.NoSuchFileException("x")));
    }
}
