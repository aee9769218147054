// `detect-train import`: a Mask R-CNN checkpoint of another framework (mmdetection 2.x / LOCE
// `.pth`, torchvision `.pth`, detectron2 `.pkl` / `.pth`) -> one of ours (weights under our
// names, the config the weights imply, the category table), which `predict` runs and
// `loce-finetune fit --from` fine-tunes. Reads the file with the strict PyTorch reader
// (nothing in it is ever executed) and writes nothing on any error.
import ArgumentParser
import Foundation
import SharedSupport
import SharedNN
import SharedData
import SharedDetection

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn another framework's Mask R-CNN checkpoint into one of ours.",
        discussion: """
        --format mmdet: mmdetection 2.x Mask R-CNN state dicts, e.g. fcjian/LOCE's
        released models (ResNet-50/101-FPN, FrozenBN, Shared2FCBBoxHead,
        FCNNormMaskHead) and mmdetection's LVIS models. The architecture (depth,
        widths, FPN channels, box and mask head sizes, class count) is read from the
        weights; pooling, coders, anchors, image normalisation and test settings are
        mmdetection's Mask R-CNN defaults (test: score > 1e-4, <= 300 per image for
        LVIS-sized models; 0.05 / 100 otherwise), or --config's (one of our config
        files) when given. FCNNormMaskHead vs FCNMaskHead comes from the
        checkpoint's stored config, else --mask-classifier. GroupNorm backbones
        (gn1, ...) take their group count from the stored config's num_groups,
        else from --config's backbone.groups.
        --format torchvision: torchvision's maskrcnn_resnet50_fpn state dicts
        (model.state_dict(), its COCO checkpoint included: the older key names are
        taken too). The architecture is read from the weights; everything
        torchvision fixes in code (anchors, pooling, coders, test settings: score >
        0.05, <= 100 per image) and torchvision's own inference arithmetic where it
        differs from mmdetection's (the convention keys of
        Sources/Shared/Detection/Config/README.md) are set, unless --config gives
        the settings. torchvision's background is class 0: class k of ours is its
        label k + 1, taken as category id k + 1 (COCO's ids for its COCO model,
        whose 90 classes, the "N/A" ones included, get their names without
        --categories; --categories then only names the classes by id).
        --format detectron2: detectron2's GeneralizedRCNN Mask R-CNN over a
        ResNet-FPN, a model zoo .pkl ({"model": {name: numpy array}}) or a
        Checkpointer .pth ({"model": state_dict}); FrozenBN or GroupNorm ResNets
        (norms in the FPN or heads are refused, naming the keys). The stride sits
        in each Bottleneck's first 1x1 conv (STRIDE_IN_1X1:
        backbone.strideInFirstConv true, false for GroupNorm; a --config with the
        key decides), the stem's input channels are reversed (detectron2 reads
        BGR) and the normalisation is its PIXEL_MEAN in RGB order with PIXEL_STD
        1, or the file's pixel_mean / pixel_std (a --config keeps its own input
        settings). Its proposal selection, RoI level rule and post-processing run
        with detectron2's arithmetic (convention value detectron2); test: score >
        0.05, <= 100 per image (> 1e-4, <= 300 for LVIS-sized models). GroupNorm
        groups: --config's backbone.groups (32 by default, detectron2's).
        The category table (mmdet, detectron2): class i is the i-th category of
        --categories (a COCO/LVIS json) by ascending id, checked against the class
        names the checkpoint stores; without it, 1203 classes are LVIS v1 (ids
        1..1203), 1230 LVIS v0.5, 80 COCO.
        The file is read strictly: only the tensor and plain-data subset of
        PyTorch's pickles is accepted (an mmengine / mmdetection 3.x file whose
        extra entries hold other classes is refused, naming the class: save its
        state_dict alone); anything else (a callable, a truncated file, missing or
        unexpected tensors, shapes the implied model does not have) is an error that
        names it (exit 1) and nothing is written.
        Example:
          detect-train import --from loce_r50_fpn_lvis_v1.pth --format mmdet \\
            --out work/loce-r50.safetensors --config-out work/loce-r50.json
          detect-train predict --checkpoint work/loce-r50.safetensors \\
            --data work/shards/val
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mmdet
        case torchvision
        case detectron2
    }

    @Option(name: .long, help: ArgumentHelp("The foreign checkpoint (.pth, or detectron2's .pkl).", valueName: "FILE"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("Its framework: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "NAME"))
    var format: Format

    @Option(name: .long, help: ArgumentHelp("Our checkpoint to write (atomically).", valueName: "FILE.safetensors"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Our config whose settings replace the framework's defaults (the weights still fix the architecture).",
                                            valueName: "FILE.json"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("COCO/LVIS annotation json whose categories (by ascending id) are the classes.",
                                            valueName: "FILE.json"))
    var categories: String?

    @Option(name: .long, help: ArgumentHelp("Also write the implied config here (a base for a stage-2 config: {\"base\": [FILE, \"parts/loce.json\"]}).",
                                            valueName: "FILE.json"))
    var configOut: String?

    @Option(name: .long, help: ArgumentHelp("normed (LOCE's FCNNormMaskHead) or linear (FCNMaskHead), when the checkpoint does not say.",
                                            valueName: "KIND"))
    var maskClassifier: MaskClassifier?

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try PathChecks.requireInputFile(from, option: "--from")
        if let config { try PathChecks.requireInputFile(config, option: "--config") }
        if let categories { try PathChecks.requireInputFile(categories, option: "--categories") }
        let inputs = [from] + [config, categories].compactMap { $0 }
        try PathChecks.requireOutputFile(out, option: "--out", inputs: inputs)
        if let configOut { try PathChecks.requireOutputFile(configOut, option: "--config-out", inputs: inputs + [out]) }
        if format == .detectron2, maskClassifier != nil {
            throw ToolError("--mask-classifier is for --format mmdet; detectron2's mask head is a plain 1x1 conv (linear)",
                            hint: "drop --mask-classifier", exitCode: .usage)
        }
        let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: false)
        let checkpoint = try TorchCheckpoint.read(path: from)
        let stateDict = try checkpoint.stateDict()
        var foreign = ForeignStateDict()
        for (name, tensor) in stateDict.entries {
            let values: [Float]
            if tensor.dtype.isFloatingPoint {
                values = try stateDict.floats(name)
            } else {
                values = try stateDict.int64Values(name).map { Float($0) }
            }
            foreign.set(name, ForeignTensor(shape: tensor.shape, values: values))
        }
        let meta = checkpoint.root["meta"]
        let storedNames = meta?["CLASSES"]?.elements?.compactMap(\.string)
        let classes = try Self.classCount(foreign, file: from, format: format)
        var base = try ImportDefaults.mmdetection(classes: classes)
        if let config {
            base = try DetectorConfig.load(path: config)
            base.roiHeads.numClasses = nil
        }
        let converted: (config: DetectorConfig, weights: [String: ForeignTensor], notes: [String])
        switch format {
        case .mmdet:
            converted = try MMDetectionLayout.convert(foreign, file: from, base: base, metaConfigText: meta?["config"]?.string,
                                                      maskClassifier: maskClassifier)
        case .torchvision:
            converted = try TorchvisionLayout.convert(foreign, file: from, base: base, torchvisionDefaults: config == nil)
        case .detectron2:
            converted = try Detectron2Layout.convert(foreign, file: from, base: base, detectron2Defaults: config == nil)
        }
        let ids: [Int]
        var names = storedNames?.count == classes ? storedNames : nil
        if format == .torchvision {
            // Labels are category ids (torchvision's COCO model and its reference training).
            ids = TorchvisionLayout.categoryIDs(classCount: classes)
            names = TorchvisionLayout.categoryNames(classCount: classes)
            if let categories {
                let byID = Dictionary(try Dataset.load(path: categories).categories.map { ($0.id.rawValue, $0.name) },
                                      uniquingKeysWith: { first, _ in first })
                names = ids.map { byID[$0] ?? names?[$0 - 1] ?? "N/A" }
            }
        } else if let categories {
            let dataset = try Dataset.load(path: categories)
            let table = dataset.categories.sorted { $0.id < $1.id }
            ids = try ImportCategories.ids(from: table.map { ($0.id.rawValue, $0.name) }, classes: classes,
                                           storedNames: storedNames, datasetFile: categories)
            names = table.map(\.name)
        } else if let known = ImportCategories.knownIDs(classes: classes) {
            ids = known
        } else {
            throw ToolError("the checkpoint has \(classes) classes, not a table we know (LVIS v1 1203, v0.5 1230, COCO 80)", file: from,
                            hint: "pass --categories with the annotation json of the dataset it was trained on", exitCode: .usage)
        }
        let resolved = try converted.config.resolved(numClasses: classes)
        let imported = ImportedDetector(config: resolved, categoryIDs: ids, categoryNames: names, weights: converted.weights,
                                        notes: converted.notes)
        try imported.write(to: out, source: from, format: format.rawValue)
        if let configOut {
            let writer = try AtomicFileWriter(path: configOut)
            try writer.write(Array(try resolved.encoded()) + [UInt8(ascii: "\n")])
            try writer.commit()
        }
        context.logger.info("imported \(format.rawValue) \(from): \(converted.notes.joined(separator: ", ")), \(classes) classes -> \(out)")
    }

    /// The classifier's class count (its rows - 1), for the defaults chosen before the layout runs.
    static func classCount(_ dict: ForeignStateDict, file: String, format: Format) throws -> Int {
        if format == .detectron2 { return try Detectron2Layout.classCount(dict, file: file) }
        let key = format == .mmdet ? "roi_head.bbox_head.fc_cls.weight" : "roi_heads.box_predictor.cls_score.weight"
        guard let classifier = dict[key], classifier.shape.count == 2, classifier.shape[0] >= 2 else {
            throw ToolError("no box classifier \(key) [C + 1, D]", file: file,
                            hint: "is this \(format == .mmdet ? "an mmdetection" : "a torchvision") Mask R-CNN checkpoint? check --format")
        }
        return classifier.shape[0] - 1
    }
}

extension MaskClassifier: ExpressibleByArgument {}
