package dev.lathe.runtime.train;

/**
 * One epoch's numbers. Many/medium/few are the validation accuracies over classes with more than 100, 20 to 100,
 * and fewer than 20 training images (the long-tail convention); NaN where no class falls in the group.
 */
public record EpochMetrics(int epoch, double lr, double trainLoss, double trainAccuracy, double valTop1,
        double valTop5, double many, double medium, double few, double imagesPerSecond,
        double outsideRuntimeFraction, double seconds) {

    public static final String CSV_HEADER = "epoch,lr,train_loss,train_acc,val_top1,val_top5,many,medium,few,"
            + "images_per_second,outside_runtime_fraction,seconds";

    public String csv() {
        return epoch + "," + lr + "," + trainLoss + "," + trainAccuracy + "," + valTop1 + "," + valTop5 + "," + many
                + "," + medium + "," + few + "," + imagesPerSecond + "," + outsideRuntimeFraction + "," + seconds;
    }
}
