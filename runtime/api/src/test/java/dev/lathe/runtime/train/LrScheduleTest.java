package dev.lathe.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** timm's cosine schedule against values from timm's own CosineLRScheduler (fixtures/timm_schedule/generate.py). */
class LrScheduleTest {
    @Test
    void timmCosineEqualsTimmPerEpochAndPerUpdate() throws IOException {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/timm_schedule/cosine.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        assertEquals(3, cases.size());
        for (JsonNode c : cases) {
            int updates = c.get("updates_per_epoch").asInt();
            LrSchedule s = LrSchedule.timmCosine(c.get("lr").asDouble(), c.get("warmup_lr").asDouble(),
                    c.get("warmup_epochs").asDouble(), c.get("min_lr").asDouble(), c.get("epochs").asInt(),
                    updates > 0);
            JsonNode values = c.get("values");
            int perEpoch = Math.max(1, updates);
            assertEquals(c.get("total_epochs").asInt() * perEpoch, values.size(), "epochs + cooldown");
            for (int k = 0; k < values.size(); k++) {
                int epoch = k / perEpoch;
                double progress = (double) (k % perEpoch) / perEpoch;
                assertEquals(values.get(k).asDouble(), s.lr(epoch, progress), 1e-12 * c.get("lr").asDouble(),
                        c.get("name").asText() + " step " + k);
                if (updates == 0) { // per epoch: constant within the epoch
                    assertEquals(values.get(k).asDouble(), s.lr(epoch, 0.99), 1e-12);
                }
            }
        }
    }
}
