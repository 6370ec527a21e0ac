package dev.lathe.cli.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.UserError;
import dev.lathe.converter.bind.StateDict;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.converter.ckpt.CheckpointInventory;
import dev.lathe.converter.ckpt.StoredTensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe ckpt inspect FILE [--json]}: what a checkpoint holds, with no model needed. */
public final class CkptInspectCommand implements Command {
    @Override
    public String name() {
        return "ckpt inspect";
    }

    @Override
    public String summary() {
        return "list a checkpoint's tensors (key, dtype, shape), total size and other entries (epoch, arch, metrics)";
    }

    @Override
    public String usage() {
        return "FILE(.pth|.pt|.pth.tar|.safetensors) [--json]";
    }

    @Override
    public Options options() {
        return new Options().addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").build());
    }

    static Checkpoint read(String file) throws Exception {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new UserError("no such checkpoint file: " + file);
        }
        try {
            return Checkpoint.read(path);
        } catch (CheckpointFormatException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    static String shape(StoredTensor t) {
        return Arrays.toString(t.shape());
    }

    private static void describe(ObjectNode n, String key, StoredTensor t) {
        n.put("key", key);
        n.put("dtype", t.dtype().name());
        ArrayNode dims = n.putArray("shape");
        for (long d : t.shape()) {
            dims.add(d);
        }
        n.put("bytes", t.byteSize());
    }

    private static void table(PrintStream out, String title, Map<String, StoredTensor> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int width = 3;
        for (String k : rows.keySet()) {
            width = Math.max(width, Math.min(k.length(), 80));
        }
        out.println();
        if (title != null) {
            out.println(title + ":");
        }
        String row = "%-" + width + "s  %-8s  %-20s  %s%n";
        out.printf(row, "key", "dtype", "shape", "bytes");
        rows.forEach((k, t) -> out.printf(row, k, t.dtype(), shape(t), String.format("%,d", t.byteSize())));
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (cmd.getArgList().size() != 1) {
            throw new UserError("expected one checkpoint file, got " + cmd.getArgList().size() + " arguments");
        }
        String file = cmd.getArgList().get(0);
        Checkpoint ckpt = read(file);
        CheckpointInventory inv;
        try {
            inv = CheckpointInventory.of(ckpt);
        } catch (CheckpointFormatException e) {
            throw new UserError(e.getMessage(), e);
        }
        StateDict sd = null;
        String noStateDict = null;
        try {
            sd = StateDict.locate(ckpt, null);
        } catch (CheckpointFormatException e) {
            noStateDict = e.getMessage();
        }
        long size = Files.size(Path.of(file));
        if (cmd.hasOption("json")) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = json.createObjectNode();
            root.put("file", file);
            root.put("format", ckpt.format().description());
            root.put("file_bytes", size);
            root.put("tensor_count", inv.tensors().size());
            root.put("tensor_bytes", inv.tensorBytes());
            ObjectNode sdNode = root.putObject("state_dict");
            if (sd != null) {
                sdNode.put("source", sd.source());
                sdNode.put("stripped_prefix", sd.strippedPrefix());
                sdNode.put("tensor_count", sd.tensors().size());
                sd.notes().forEach(sdNode.putArray("notes")::add);
                ArrayNode keys = sdNode.putArray("tensors");
                sd.tensors().forEach((k, t) -> describe(keys.addObject(), k, t));
            } else {
                sdNode.put("error", noStateDict);
            }
            ArrayNode tensors = root.putArray("tensors");
            for (CheckpointInventory.TensorEntry t : inv.tensors()) {
                describe(tensors.addObject(), t.path(), t.tensor());
            }
            ArrayNode values = root.putArray("entries");
            for (CheckpointInventory.ValueEntry v : inv.values()) {
                values.addObject().put("key", v.path()).put("type", v.type()).put("value", v.value());
            }
            ckpt.metadata().forEach(root.putObject("metadata")::put);
            ctx.out().println(json.writeValueAsString(root));
            return 0;
        }
        PrintStream out = ctx.out();
        out.printf("%s: %s, %,d bytes%n", file, ckpt.format().description(), size);
        out.printf("%d tensors, %,d bytes of tensor data%n", inv.tensors().size(), inv.tensorBytes());
        if (sd != null) {
            out.printf("state_dict: %s, %d tensors%s%n", sd.source(), sd.tensors().size(),
                    sd.strippedPrefix().isEmpty() ? "" : ", prefix '" + sd.strippedPrefix() + "' stripped");
            sd.notes().forEach(n -> out.println("  note: " + n));
        } else {
            out.println("state_dict: none found (" + noStateDict + ")");
        }
        // The state_dict's keys (as binding sees them) first; then tensors elsewhere in the file, by path.
        Map<String, StoredTensor> rows = new LinkedHashMap<>();
        Set<StoredTensor> inStateDict = Collections.newSetFromMap(new IdentityHashMap<>());
        if (sd != null) {
            rows.putAll(sd.tensors());
            inStateDict.addAll(sd.tensors().values());
        }
        Map<String, StoredTensor> others = new LinkedHashMap<>();
        for (CheckpointInventory.TensorEntry t : inv.tensors()) {
            if (!inStateDict.contains(t.tensor())) {
                others.put(t.path(), t.tensor());
            }
        }
        table(out, sd == null ? null : "state_dict keys", rows);
        table(out, sd == null ? "tensors" : "other tensors (path in the file)", others);
        if (!inv.values().isEmpty()) {
            out.println();
            out.println("other entries:");
            for (CheckpointInventory.ValueEntry v : inv.values()) {
                String value = v.value().length() > 100 ? v.value().substring(0, 100) + "..." : v.value();
                out.printf("  %s (%s) = %s%n", v.path(), v.type(), value);
            }
        }
        if (!ckpt.metadata().isEmpty()) {
            out.println();
            out.println("metadata: " + ckpt.metadata());
        }
        return 0;
    }
}
