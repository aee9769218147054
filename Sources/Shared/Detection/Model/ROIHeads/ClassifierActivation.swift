// How the box classifier's logits become class scores, and how many logits it has: softmax
// over C + 1 (stage 1, CE and EBL), or the activation another stage-2 loss defines
// (docs/method.md §Other classifier losses). The scores are always N x (C + 1), background
// last, whatever the logits' layout, so NMS and the mean-score tracker read them one way.
import Foundation

public enum ClassifierActivation: String, Codable, Sendable, CaseIterable {
    /// C + 1 logits; softmax.
    case softmax
    /// C + 1 logits; σ of each (detectron2's sigmoid CE and federated loss; the background
    /// column is not trained).
    case sigmoid
    /// C + 1 logits; σ(z_c) (1 - σ(z_bg)) for a class, σ(z_bg) for background (EQLv2 and ECM,
    /// `test_with_obj`).
    case sigmoidObjectness
    /// C + 2 logits: C classes, then the objectness pair [foreground, background];
    /// softmax(classes)_c x softmax(pair)_fg for a class, softmax(pair)_bg for background (Seesaw).
    case seesawObjectness

    /// Logit columns for C foreground classes.
    public func logitColumns(classCount: Int) -> Int {
        self == .seesawObjectness ? classCount + 2 : classCount + 1
    }

    /// Class scores [rows, C + 1] of `rows` rows of logits [rows, logitColumns] at `logits`.
    public func scores(_ logits: UnsafePointer<Float>, rows: Int, classCount c: Int) -> [Float] {
        let columns = logitColumns(classCount: c)
        switch self {
        case .softmax:
            return softmaxRows(logits, rows: rows, columns: columns)
        case .sigmoid, .sigmoidObjectness:
            var out = (0..<(rows * columns)).map { 1 / (1 + Foundation.exp(-logits[$0])) }
            if self == .sigmoidObjectness {
                for r in 0..<rows {
                    let foreground = 1 - out[r * columns + c]
                    for j in 0..<c { out[r * columns + j] *= foreground }
                }
            }
            return out
        case .seesawObjectness:
            var out = [Float](repeating: 0, count: rows * (c + 1))
            for r in 0..<rows {
                let line = logits + r * columns
                let classes = softmaxRows(line, rows: 1, columns: c), pair = softmaxRows(line + c, rows: 1, columns: 2)
                for j in 0..<c { out[r * (c + 1) + j] = classes[j] * pair[0] }
                out[r * (c + 1) + c] = pair[1]
            }
            return out
        }
    }
}
