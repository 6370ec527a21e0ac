package dev.lathe.converter.bind;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.converter.ckpt.Fixtures;
import dev.lathe.converter.ckpt.StoredTensor;
import dev.lathe.graph.ir.Tensor;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictTest {

    static Map<String, Tensor> materialised(StateDict sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : sd.tensors().entrySet()) {
            out.put(e.getKey(), e.getValue().toTensor());
        }
        return out;
    }

    /** Every wrapper fixture: the chosen wrapper and prefix are the ones generate.py used, tensors bit-identical. */
    @Test
    void everyWrapperIsFoundAndItsPrefixStripped() throws Exception {
        JsonNode wrappers = Fixtures.expected().get("wrappers");
        Iterator<String> files = wrappers.fieldNames();
        int n = 0;
        while (files.hasNext()) {
            String file = files.next();
            JsonNode spec = wrappers.get(file);
            StateDict sd = StateDict.locate(Checkpoint.read(Fixtures.file(file)), null);
            String wrapper = spec.get("wrapper").asText();
            assertEquals(wrapper.isEmpty() ? "checkpoint (a bare state_dict)" : "checkpoint['" + wrapper + "']",
                    sd.source(), file);
            assertEquals(spec.get("prefix").asText(), sd.strippedPrefix(), file);
            Fixtures.assertAllSameAsTorch(Fixtures.expected().get("small"), materialised(sd));
            n++;
        }
        assertEquals(6, n);
    }

    @Test
    void timmFileNamesTheEmaAlternativeAndKeySelectsIt() throws Exception {
        Checkpoint ckpt = Checkpoint.read(Fixtures.file("wrap_timm.pth.tar"));
        StateDict auto = StateDict.locate(ckpt, null);
        assertTrue(auto.notes().contains("checkpoint also holds 'state_dict_ema'; select it with --key state_dict_ema"),
                auto.notes().toString());
        StateDict ema = StateDict.locate(ckpt, "state_dict_ema");
        assertEquals("checkpoint['state_dict_ema'] (--key)", ema.source());
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("small_ema"), materialised(ema));
    }

    @Test
    void ispSelectorKeysOutsideThePredictorPrefixAreLeftOutAndSaid() throws Exception {
        StateDict sd = StateDict.locate(Checkpoint.read(Fixtures.file("wrap_isp_model.pth")), null);
        assertTrue(sd.notes().stream().anyMatch(s -> s.contains("left out 1 keys") && s.contains("selector.gate.weight")),
                sd.notes().toString());
    }

    @Test
    void torchPruningFullStateDictGivesThePrunedWidths() throws Exception {
        StateDict sd = StateDict.locate(Checkpoint.read(Fixtures.file("pruned_tp.pth")), null);
        assertEquals("checkpoint['state_dict'] (torch-pruning full_state_dict)", sd.source());
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("pruned"), materialised(sd));
    }

    @Test
    void aMissingKeyIsNamedWithTheKeysThatExist() throws Exception {
        Checkpoint ckpt = Checkpoint.read(Fixtures.file("wrap_net.pth.tar"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> StateDict.locate(ckpt, "weights"));
        assertTrue(e.getMessage().contains("no key 'weights' in checkpoint; its keys: net, acc, epoch, optimizer"),
                e.getMessage());
    }
}
