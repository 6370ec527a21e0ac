package dev.lathe.converter.deploy;

import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelConfig;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes one model into a Triton model repository: {@code REPO/NAME/config.pbtxt}, {@code REPO/NAME/1/model.onnx}
 * (or {@code model.plan}) and {@code labels.txt} when the model has labels. The model folder is assembled under a
 * hidden temporary name inside REPO and renamed into place, so Triton (which polls repositories) never sees half a
 * model, and an interrupted run leaves nothing behind.
 */
public final class TritonRepository {
    public static final String LABELS = "labels.txt";

    private TritonRepository() {}

    /**
     * @param modelFile the ONNX file (copied byte for byte; it also supplies the I/O and the metadata of a plan)
     * @param model the loaded model
     * @param plan a TensorRT plan to deploy instead of the ONNX file, or null
     * @param overwrite whether an existing REPO/NAME may be replaced
     * @return the model folder
     */
    public static Path write(Path modelFile, Model model, Path repo, TritonConfig.Options options, Path plan,
            boolean overwrite) throws IOException {
        List<String> labels = ModelMetadata.labels(model, modelFile);
        TritonConfig.Options o = new TritonConfig.Options(options.name(), options.maxBatch(), options.instances(),
                options.kind(), options.dynamicBatching(), options.maxQueueDelayUs(), plan != null,
                options.trtPrecision(), labels.isEmpty() ? null : LABELS);
        ModelConfig config = TritonConfig.build(model, o);
        if (!options.name().matches("[A-Za-z0-9_.-]+") || options.name().startsWith(".")) {
            throw new PackageException("model name '" + options.name() + "' must be letters, digits, '_', '-', '.'"
                    + " and not start with '.' (it names a folder Triton loads)");
        }
        Path target = repo.resolve(options.name());
        if (Files.exists(target) && !overwrite) {
            throw new PackageException(target + " already exists; remove it or pass --overwrite");
        }
        Path tmp = repo.resolve("." + options.name() + ".lathe-tmp-" + Long.toHexString(System.nanoTime()));
        AtomicFiles.register(tmp);
        try {
            Files.createDirectory(tmp);
            Files.writeString(tmp.resolve("config.pbtxt"), TritonConfig.print(config), StandardCharsets.UTF_8);
            Path version = Files.createDirectory(tmp.resolve("1"));
            if (plan != null) {
                Files.copy(plan, version.resolve("model.plan"));
            } else {
                Files.copy(modelFile, version.resolve("model.onnx"));
            }
            if (!labels.isEmpty()) {
                Files.writeString(tmp.resolve(LABELS), String.join("\n", labels) + "\n", StandardCharsets.UTF_8);
            }
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw AtomicFiles.failure(target, e);
        } finally {
            AtomicFiles.deleteTree(tmp);
            AtomicFiles.forget(tmp);
        }
    }
}
