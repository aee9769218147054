// `detect-eval evaluate`'s protocol and subset options: --max-dets, --fixed-ap [--dets-per-cat
// K], --ap-pool, --img-ids, --cat-ids, --slice NAME=FILE. Plain values are checked here (exit
// 64); the id files are read by `subsets()` (74 unreadable, 64 not a list of ids) and matched
// against the ground truth by the evaluation (64 for an id it does not have).
import ArgumentParser
import SharedEval
import SharedSupport

struct ProtocolOptions: ParsableArguments {
    @Option(name: .customLong("max-dets"), parsing: .unconditional,
            help: ArgumentHelp("The per-image detection cap, -1 for none. COCO: the largest of pycocotools' maxDets (default 100; above 10), per image and category; LVIS: LVISResults' max_dets (default 300), per image over all categories. E.g. --max-dets 1000.",
                               valueName: "N"))
    var maxDets: Int?

    @Flag(name: .customLong("fixed-ap"),
          help: "LVIS Fixed AP (Dave et al. 2021, large-vocab-devil evaluate_ap_fixed.py): the --dets-per-cat best detections of each category over the whole file, no per-image cap; mask AP uses mask areas. LVIS style only. E.g. --fixed-ap --iou-type segm.")
    var fixedAP = false

    @Option(name: .customLong("dets-per-cat"),
            help: ArgumentHelp("With --fixed-ap: detections kept per category (default \(EvaluationProtocol.defaultDetectionsPerCategory)). E.g. --fixed-ap --dets-per-cat 5000.",
                               valueName: "K"))
    var detsPerCat: Int?

    @Flag(name: .customLong("ap-pool"),
          help: "Also report pooled AP (evaluate_ap_pooled.py): AP-pooled-all/-r/-c/-f, each group's categories accumulated as one, area all, on the same detections as the main numbers (with --fixed-ap: the script's default protocol). LVIS style only. E.g. --fixed-ap --ap-pool.")
    var apPool = false

    @Option(name: .customLong("img-ids"),
            help: ArgumentHelp("Evaluate only these images (pycocotools params.imgIds / LVIS params.img_ids): a file holding a JSON array of image ids or one id per line. Detections on other images are left out. E.g. --img-ids val_night.txt.",
                               valueName: "FILE"))
    var imgIDs: String?

    @Option(name: .customLong("cat-ids"),
            help: ArgumentHelp("Evaluate only these categories (params.catIds / cat_ids): AP, APr, APc, APf and the per-category table cover them only. Same file format as --img-ids. E.g. --cat-ids rare_ids.json.",
                               valueName: "FILE"))
    var catIDs: String?

    @Option(name: .customLong("slice"),
            help: ArgumentHelp("Also evaluate a named image subset (id file as for --img-ids; same protocol and --cat-ids; not restricted by --img-ids), reported as its own row and under \"slices\" in --json; repeat per slice. E.g. --slice night=night_ids.txt --slice indoor=indoor_ids.json.",
                               valueName: "NAME=FILE"))
    var slices: [NamedPath] = []

    func validate() throws {
        if let maxDets, maxDets == 0 || maxDets < EvaluationParameters.noLimit {
            throw ValidationError("--max-dets \(maxDets): give a positive cap, or -1 for none")
        }
        if let detsPerCat {
            if !fixedAP { throw ValidationError("--dets-per-cat \(detsPerCat) is the Fixed AP cut: give it with --fixed-ap") }
            if detsPerCat < 1 { throw ValidationError("--dets-per-cat must be at least 1 (got \(detsPerCat))") }
        }
        if fixedAP, let maxDets, maxDets != EvaluationParameters.noLimit {
            throw ValidationError("--fixed-ap has no per-image cap (evaluate_ap_fixed.py evaluates with max_dets=-1): drop --max-dets \(maxDets)")
        }
        try NamedPath.checkUnique(slices, option: "--slice")
        for (option, path) in idFiles where path == "-" {
            throw ValidationError("\(option) -: standard input is for the ground truth or the results; give the id file's path")
        }
    }

    /// (option, path) of every id file given.
    var idFiles: [(String, String)] {
        (imgIDs.map { [("--img-ids", $0)] } ?? []) + (catIDs.map { [("--cat-ids", $0)] } ?? [])
            + slices.map { ("--slice \($0.name)", $0.path) }
    }

    /// The protocol to evaluate.
    var evaluationProtocol: EvaluationProtocol {
        EvaluationProtocol(maxDetections: maxDets,
                           detectionsPerCategory: fixedAP ? (detsPerCat ?? EvaluationProtocol.defaultDetectionsPerCategory) : nil,
                           pooled: apPool)
    }

    /// Reads the id files (74 unreadable, 64 not a list of ids).
    func subsets() throws -> EvaluationSubsets {
        for (option, path) in idFiles { try PathChecks.requireInputFileOrStream(path, option: option) }
        return EvaluationSubsets(images: try imgIDs.map { try IDList.read(path: $0, option: "--img-ids") },
                                 categories: try catIDs.map { try IDList.read(path: $0, option: "--cat-ids") },
                                 slices: try slices.map {
                                     ImageSlice(name: $0.name, images: try IDList.read(path: $0.path, option: "--slice \($0.name)"))
                                 })
    }
}
