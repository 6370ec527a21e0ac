package dev.lathe.cli.dynamic;

import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.runtime.dynamic.ExitResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The accuracy-vs-GMACs plot of a Pareto front as a PNG, drawn by JFreeChart (headless). */
final class FrontChart {
    private FrontChart() {}

    /**
     * @param reference the authors' printed points (accuracy, GMACs), overlaid when not empty
     * @param chosen the setting picked under a budget or accuracy floor, marked; may be null
     */
    static void write(Path png, String title, List<ExitResult> front, List<double[]> reference, ExitResult chosen)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries f = new XYSeries("Pareto front (Lathe)", false, true);
        for (ExitResult r : front) {
            f.add(r.averageMacs(), 100 * r.accuracy());
        }
        data.addSeries(f);
        if (!reference.isEmpty()) {
            XYSeries ref = new XYSeries("released (authors' txt)", false, true);
            for (double[] p : reference) {
                ref.add(p[1], 100 * p[0]);
            }
            data.addSeries(ref);
        }
        if (chosen != null) {
            XYSeries c = new XYSeries("chosen", false, true);
            c.add(chosen.averageMacs(), 100 * chosen.accuracy());
            data.addSeries(c);
        }
        NumberAxis x = new NumberAxis("average GMACs per image");
        NumberAxis y = new NumberAxis("top-1 accuracy (%)");
        x.setAutoRangeIncludesZero(false);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesLinesVisible(0, true);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        int next = 1;
        if (!reference.isEmpty()) {
            renderer.setSeriesLinesVisible(next, false);
            renderer.setSeriesShape(next, new Rectangle2D.Double(-3, -3, 6, 6));
            renderer.setSeriesPaint(next, new Color(0xd62728));
            next++;
        }
        if (chosen != null) {
            renderer.setSeriesLinesVisible(next, false);
            renderer.setSeriesShape(next, new Ellipse2D.Double(-6, -6, 12, 12));
            renderer.setSeriesPaint(next, new Color(0x2ca02c));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        AtomicFiles.write(png, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ChartUtils.writeChartAsPNG(out, chart, 900, 600);
            }
        });
    }
}
