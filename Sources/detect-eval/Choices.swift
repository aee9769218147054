// The option values of `detect-eval evaluate` as enums, so `--help` lists the choices.
import ArgumentParser
import SharedEval

/// `--iou-type`: what is compared: `bbox`, `segm`, `boundary` (Boundary IoU), `both` (bbox and
/// segm), `all` (the three), or a comma-separated list of them (`segm,boundary`). Evaluated and
/// reported in the order bbox, segm, boundary.
struct IoUTypeChoice: ExpressibleByArgument, Equatable {
    let types: [IoUType]

    static let bbox = IoUTypeChoice(types: [.bbox])

    init(types: [IoUType]) { self.types = types }

    init?(argument: String) {
        var chosen = Set<IoUType>()
        for name in argument.split(separator: ",", omittingEmptySubsequences: false) {
            switch name {
            case "both": chosen.formUnion([.bbox, .segm])
            case "all": chosen.formUnion(IoUType.allCases)
            default:
                guard let type = IoUType(rawValue: String(name)) else { return nil }
                chosen.insert(type)
            }
        }
        types = IoUType.allCases.filter(chosen.contains)
    }

    static var allValueStrings: [String] { ["bbox", "segm", "boundary", "both", "all"] }

    var defaultValueDescription: String { types.map(\.rawValue).joined(separator: ",") }

    /// Any of the types compares masks by Boundary IoU.
    var hasBoundary: Bool { types.contains(.boundary) }
}

/// `--style`: which reference to reproduce.
enum StyleChoice: String, ExpressibleByArgument, CaseIterable {
    case coco, lvis, auto
    var style: EvaluationStyle? { self == .auto ? nil : (self == .coco ? .coco : .lvis) }
}
