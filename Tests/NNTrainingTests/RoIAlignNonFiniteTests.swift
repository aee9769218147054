// RoIs with NaN, infinite or huge coordinates (a diverged model's boxes) pool zeros or what
// they cover, and never reach a conversion to Int with a non-finite or overflowing value.
import XCTest
@testable import SharedNN
import SharedSupport

final class RoIAlignNonFiniteTests: XCTestCase {
    func testNonFiniteAndHugeRoIsPoolWithoutTrapping() {
        let nan = Float.nan, inf = Float.infinity
        let rois: [[Float]] = [[0, nan, 0, 4, 4], [0, 0, 0, inf, inf], [0, -inf, -inf, 4, 4], [0, -3e38, -3e38, 3e38, 3e38],
                               [0, 1e30, 1e30, 2e30, 2e30], [0, 2, 2, 2 + 1e-30, 2 + 1e-30]]
        let features = [Float](repeating: 1, count: 2 * 6 * 8)
        for options in [RoIAlignOptions(outputSize: 7), RoIAlignOptions(outputSize: 3, samplingRatio: 2),
                        RoIAlignOptions(outputSize: 2, samplingRatio: 0, aligned: false)] {
            for roi in rois {
                let plan = roi.withUnsafeBufferPointer {
                    RoIAlignPlan(roi: $0, level: 0, height: 6, width: 8, spatialScale: 0.5, options: options)
                }
                XCTAssertEqual(plan.binEnds.count, options.outputHeight * options.outputWidth, "\(roi)")
                XCTAssertTrue(plan.offsets.allSatisfy { $0 >= 0 && $0 < 6 * 8 }, "\(roi)")
                XCTAssertTrue(plan.weights.allSatisfy(\.isFinite), "\(roi)")
            }
            var output = [Float](repeating: -1, count: rois.count * 2 * options.outputHeight * options.outputWidth)
            let flat = rois.flatMap { $0 }
            features.withUnsafeBufferPointer { features in
                flat.withUnsafeBufferPointer { rois in
                    output.withUnsafeMutableBufferPointer { output in
                        _ = roiAlignForward(output: output, levels: [RoIAlignLevel(features: features, height: 6, width: 8, spatialScale: 0.5),
                                                                     RoIAlignLevel(features: features, height: 6, width: 8, spatialScale: 0.25)],
                                            batch: 1, channels: 2, rois: rois, options: options, parallelism: .serial)
                    }
                }
            }
            XCTAssertTrue(output.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1.0001 }, "\(options)")
        }
    }
}
