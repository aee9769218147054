// `detect-train predict`: runs a checkpoint over a shard folder and streams COCO results
// JSON (LVIS category ids, XYWH boxes and compressed-RLE masks in original pixels) to
// stdout or a file.
import ArgumentParser
import Foundation
import SharedSupport
import SharedTensor
import SharedData
import SharedDetection

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Detect objects with a trained checkpoint; write COCO results JSON.",
        discussion: """
        Results are streamed image by image, so the output can be piped into
        detect-eval. Test settings come from the checkpoint's config (score >=
        1e-4, per-class NMS 0.5, <= 300 detections per image, masks thresholded
        at 0.5). A checkpoint trained on another category table than the data's
        manifest is refused. Results depend on --batch (padding is per batch).
        Example:
          detect-train predict --checkpoint work/baseline/checkpoint.safetensors \\
            --data work/shards/val | detect-eval --gt work/synth/lvis_v1_val.json -
        """)

    @Option(name: .long, help: ArgumentHelp("Checkpoint written by `detect-train fit` (or `loce-finetune fit`).",
                                            valueName: "FILE.safetensors"))
    var checkpoint: String

    @Option(name: .long, help: ArgumentHelp("Shard folder to run on.", valueName: "SHARDS"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("Results file (written atomically); `-` or absent: stdout.", valueName: "FILE.json"))
    var out: String?

    @Option(name: .long, help: "Images per forward pass.")
    var batch: Int = 1

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1 (got \(batch))") }
    }

    func run() throws {
        let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: true)
        let dataset = try ShardDataset(directory: data)
        let ids = dataset.categories.sorted { $0.index < $1.index }.map(\.id)
        let predictor = try DetectorPredictor(checkpoint: checkpoint, dataCategoryIDs: ids, dataDirectory: data,
                                              compute: try Compute.load(threads: context.parallelism.threads))
        let batches = EvaluationBatches(dataset: dataset, batchSize: batch, settings: LoaderSettings(config: predictor.config.input))
        let progress = ProgressBar(label: "predict", total: dataset.count, unit: "img", logger: context.logger)
        if let out, out != "-" {
            let file = try AtomicFileWriter(path: out)
            let stream = try ResultsStream { try file.write($0) }
            try predictor.predict(batches, to: stream, progress: progress)
            try stream.close()
            try file.commit()
            progress.finish()
            context.logger.info("wrote \(stream.count) detections of \(dataset.count) images to \(out)")
        } else {
            let output = StandardOutput()
            let stream = try ResultsStream { bytes in
                output.write(bytes: bytes)
                output.flush()
            }
            try predictor.predict(batches, to: stream, progress: progress)
            try stream.close()
            output.flush()
            progress.finish()
            context.logger.info("wrote \(stream.count) detections of \(dataset.count) images")
        }
    }
}
