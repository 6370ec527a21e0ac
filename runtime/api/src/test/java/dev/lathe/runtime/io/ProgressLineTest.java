package dev.lathe.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFileOrPipeGetsPlainLinesAtMostOnceAnIntervalAndNoCarriageReturn() {
        ProgressLine p = new ProgressLine(out, false, 5_000, now::get);
        p.update("step 1");
        now.set(1_000);
        p.update("step 2"); // too soon: dropped
        now.set(5_000);
        p.update("step 3");
        now.set(6_000);
        p.done("epoch 1 done");
        p.update("step 1 of epoch 2"); // a new phase shows at once
        assertEquals("step 1\nstep 3\nepoch 1 done\nstep 1 of epoch 2\n", text().replace(System.lineSeparator(), "\n"));
        assertFalse(text().contains("\r"));
    }

    @Test
    void aTerminalRedrawsOneLineAndBlanksTheRestOfALongerOne() {
        ProgressLine p = new ProgressLine(out, true, 5_000, now::get);
        p.update("step 10/100");
        p.update("step 9");
        p.done("done");
        assertEquals("\rstep 10/100\rstep 9     \rdone  " + System.lineSeparator(), text());
    }
}
