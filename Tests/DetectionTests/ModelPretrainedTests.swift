// Pretrained backbone weights load by name, exactly, and only into the backbone; missing
// tensors and wrong shapes are refused with messages that name them.
import XCTest
import Foundation
@testable import SharedDetection
import SharedSupport
@_spi(Kernels) import SharedTensor
import SharedNN

final class ModelPretrainedTests: XCTestCase {
    typealias S = ModelTestSupport

    func temporaryPath(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-pretrained-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    func testBackboneWeightsLoadByNameAndNothingElse() throws {
        let config = try S.smokeConfig()
        var a = SeededRandom(seed: 1), b = SeededRandom(seed: 2)
        let source = MaskRCNN.make(config: config, random: &a).store
        let target = MaskRCNN.make(config: config, random: &b).store
        var file = SafetensorsFile()
        for parameter in source.parameters {  // the whole model: only backbone.* may be taken
            file.set(parameter.name, SafetensorsTensor(float32: source.value(parameter).toArray(), shape: parameter.shape))
        }
        let path = temporaryPath("backbone.safetensors")
        try file.write(to: path)
        let before = target.value(target["fpn.lateral.2.weight"]!).toArray()
        let loaded = try MaskRCNN.loadPretrainedBackbone(path: path, into: target)
        XCTAssertEqual(loaded, target.parameters.filter { $0.name.hasPrefix("backbone.") }.count)
        for parameter in target.parameters where parameter.name.hasPrefix("backbone.") {
            XCTAssertEqual(target.value(parameter).toArray(), source.value(parameter).toArray(), parameter.name)
        }
        XCTAssertEqual(target.value(target["fpn.lateral.2.weight"]!).toArray(), before, "the FPN is not touched")
    }

    func testMissingAndMisshapenTensorsAreRefused() throws {
        let config = try S.smokeConfig()
        var random = SeededRandom(seed: 1)
        let store = MaskRCNN.make(config: config, random: &random).store
        var file = SafetensorsFile()
        for parameter in store.parameters where parameter.name.hasPrefix("backbone.") && parameter.name != "backbone.res4.0.conv2.weight" {
            file.set(parameter.name, SafetensorsTensor(float32: store.value(parameter).toArray(), shape: parameter.shape))
        }
        let path = temporaryPath("partial.safetensors")
        try file.write(to: path)
        XCTAssertThrowsError(try MaskRCNN.loadPretrainedBackbone(path: path, into: store)) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.file, path)
            XCTAssertTrue(toolError?.message.hasPrefix("1 of ") == true && toolError?.message.hasSuffix("missing: backbone.res4.0.conv2.weight") == true,
                          "\(error)")
        }
        file.set("backbone.res4.0.conv2.weight", SafetensorsTensor(float32: [Float](repeating: 0, count: 9), shape: [1, 1, 3, 3]))
        try file.write(to: path)
        XCTAssertThrowsError(try MaskRCNN.loadPretrainedBackbone(path: path, into: store)) { error in
            XCTAssertTrue((error as? ToolError)?.message.contains("backbone.res4.0.conv2.weight has shape [1, 1, 3, 3]") == true, "\(error)")
        }
    }

    func testPretrainedPathIsRelativeToTheConfigFile() throws {
        var backbone = try PresetFiles.load("r50-fpn").backbone
        XCTAssertEqual(backbone.pretrainedPath(relativeTo: "/repo/pipelines/configs/r50-fpn.json"), "/repo/work/pretrained/resnet50.safetensors")
        backbone.pretrained = "/abs/w.safetensors"
        XCTAssertEqual(backbone.pretrainedPath(relativeTo: "/repo/pipelines/configs/r50-fpn.json"), "/abs/w.safetensors")
        backbone.pretrained = nil
        XCTAssertNil(backbone.pretrainedPath(relativeTo: "x.json"))
    }
}
