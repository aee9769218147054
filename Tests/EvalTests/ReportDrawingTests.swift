// The report's pictures, checked by their pixels: the per-frequency chart's bars (size,
// height, colour), a detection tile (box outline and mask in the category colour, the
// image untouched outside), the grid layout, the long-tail histogram's groups.
import SharedData
import SharedEval
import SharedMasks
import XCTest

final class ReportDrawingTests: XCTestCase {
    let models = [ModelResults(name: "baseline", stats: [.bbox: ["AP": 0.3, "APr": 0.1, "APc": 0.25, "APf": 0.35],
                                                         .segm: ["AP": 0.2, "APr": 0.05, "APc": 0.2, "APf": 0.3]]),
                  ModelResults(name: "loce", stats: [.bbox: ["AP": 0.32, "APr": 0.2, "APc": 0.3, "APf": 0.34],
                                                     .segm: ["AP": 0.22, "APr": 0.12, "APc": 0.21, "APf": 0.29]])]

    func testFrequencyChartBarsHaveTheirValuesHeightAndModelColour() {
        let canvas = FrequencyChart.render(models)
        // Two panels 420 x 240: 50 + 2 * 420 + 70 + 20 wide, 50 + 240 + 40 + 20 high.
        XCTAssertEqual(canvas.width, 980)
        XCTAssertEqual(canvas.height, 350)
        let baseline = 50 + 240  // the panels' bottom edge
        let yMax = 0.4  // 0.35 rounded up to a tenth
        for (panel, type) in [IoUType.bbox, .segm].enumerated() {
            for (g, group) in FrequencyChart.groups.enumerated() {
                for (m, model) in models.enumerated() {
                    let value = try! XCTUnwrap(model.value(type, group))
                    let groupWidth = 420.0 / 4, barWidth = (groupWidth * 0.8 / 2).rounded(.down)
                    let x = Int((Double(50 + panel * 490) + Double(g) * groupWidth + groupWidth * 0.1 + Double(m) * barWidth).rounded()
                                + barWidth / 2)
                    var height = 0
                    while canvas.image[x, baseline - 1 - height] == FrequencyChart.seriesColor(m) { height += 1 }
                    XCTAssertEqual(height, Int((value / yMax * 240).rounded()), "\(type) \(group) \(model.name)")
                }
            }
        }
    }

    func testDetectionTileDrawsInsideTheBoxOnly() throws {
        let gray = RGBColor(red: 100, green: 100, blue: 100)
        let image = RGBImage(width: 100, height: 80, fill: gray)
        var bits = [UInt8](repeating: 0, count: 100 * 80)
        for y in 40..<60 { for x in 20..<60 { bits[y * 100 + x] = 1 } }
        let mask = bits.withUnsafeBufferPointer { RLE(rowMajorMask: $0, height: 80, width: 100) }
        let category = CategoryID(7), color = CategoryColor.color(category)
        let detection = DrawnDetection(category: category, score: 0.9, box: BoxXYWH(x: 20, y: 40, width: 40, height: 20), mask: mask)
        let tile = DetectionTile.render(image: image, originalWidth: 100, originalHeight: 80, detections: [detection],
                                        names: [category: "cat"], size: 100)
        XCTAssertEqual(tile.width, 100)
        XCTAssertEqual(tile.image[20, 50], color, "left edge of the outline")
        XCTAssertEqual(tile.image[59, 50], color, "right edge of the outline")
        let inside = tile.image[40, 50]
        XCTAssertNotEqual(inside, gray, "the mask tints the inside")
        XCTAssertNotEqual(inside, color, "the mask is translucent")
        let blended = (Int(gray.red) * 141 + Int(color.red) * 115 + 128) >> 8  // alpha 0.45 = 115 / 256
        XCTAssertEqual(Int(inside.red), blended)
        for (x, y) in [(10, 50), (70, 50), (40, 65), (40, 75), (90, 10)] {
            XCTAssertEqual(tile.image[x, y], gray, "(\(x), \(y)) is outside the detection")
        }
        XCTAssertEqual(tile.image[50, 79], gray)
        // The rest of the square tile below the image is white.
        XCTAssertEqual(tile.image[50, 90], .white)
    }

    func testTileScalesDetectionsWithTheImage() {
        let image = RGBImage(width: 200, height: 100, fill: .black)
        let detection = DrawnDetection(category: CategoryID(1), score: 0.5, box: BoxXYWH(x: 100, y: 50, width: 60, height: 40))
        let tile = DetectionTile.render(image: image, originalWidth: 200, originalHeight: 100, detections: [detection], names: [:], size: 100)
        XCTAssertEqual(tile.image[50, 35], CategoryColor.color(CategoryID(1)), "box left edge at x 100 / 2")
        XCTAssertEqual(tile.image[45, 35], .black)
        XCTAssertEqual(tile.image[50, 60], .white, "below the scaled image")
    }

    func testCategoryColoursAreStableAndDistinct() {
        XCTAssertEqual(CategoryColor.color(CategoryID(3)), CategoryColor.color(CategoryID(3)))
        let colors = Set((1...20).map { CategoryColor.color(CategoryID($0)) })
        XCTAssertEqual(colors.count, 20)
    }

    func testGridPutsModelsSideBySide() {
        let tiles = [RGBColor.red, .blue].map { Canvas(width: 50, height: 50, background: $0) }
        let grid = DetectionGrid.compose(columns: ["a", "b"], rows: [.init(label: "id 1", tiles: tiles), .init(label: "id 2", tiles: tiles)],
                                         tileSize: 50)
        XCTAssertEqual(grid.width, 70 + 2 * 56)
        XCTAssertEqual(grid.height, 20 + 2 * 56)
        XCTAssertEqual(grid.image[70 + 25, 20 + 56 + 25], .red)
        XCTAssertEqual(grid.image[70 + 56 + 25, 20 + 25], .blue)
    }

    func testGridImagesAreThoseWithMostRareInstances() {
        let categories = [CategoryInfo(id: CategoryID(1), name: "r", frequency: .rare), CategoryInfo(id: CategoryID(2), name: "f", frequency: .frequent)]
        let images = (1...4).map { ImageInfo(id: ImageID($0), width: 10, height: 10) }
        var annotations: [GroundTruthAnnotation] = []
        func add(_ image: Int, _ category: Int) {
            annotations.append(GroundTruthAnnotation(id: AnnotationID(annotations.count + 1), imageID: ImageID(image), categoryID: CategoryID(category),
                                                     bbox: BoxXYWH(x: 0, y: 0, width: 1, height: 1), area: 1))
        }
        add(1, 2); add(1, 2); add(1, 2)
        add(2, 1); add(2, 2)
        add(3, 1); add(3, 1)
        add(4, 1); add(4, 2)
        let dataset = Dataset(format: .lvisV1, images: images, annotations: annotations, categories: categories)
        XCTAssertEqual(GridImageSelection.pick(dataset, count: 3).map(\.id.rawValue), [3, 2, 4])
    }

    func testLongTailHistogramGroupsByImagesPerCategory() {
        let categories = (1...3).map { CategoryInfo(id: CategoryID($0), name: "c\($0)") }
        var annotations: [GroundTruthAnnotation] = []
        for (category, imageCount) in [(1, 150), (2, 20), (3, 3)] {
            for image in 0..<imageCount {
                for _ in 0..<2 {
                    annotations.append(GroundTruthAnnotation(id: AnnotationID(annotations.count + 1), imageID: ImageID(image), categoryID: CategoryID(category),
                                                             bbox: BoxXYWH(x: 0, y: 0, width: 1, height: 1), area: 1))
                }
            }
        }
        let dataset = Dataset(format: .coco, images: [], annotations: annotations, categories: categories)
        let histogram = LongTailHistogram(imagesPerCategoryOf: dataset, split: "train")
        XCTAssertEqual(histogram.bars, [.init(count: 150, group: .frequent), .init(count: 20, group: .common), .init(count: 3, group: .rare)])
        XCTAssertEqual(histogram.thresholds, [10, 100])
        let canvas = histogram.render()
        XCTAssertEqual(canvas.width, 900)
        XCTAssertEqual(canvas.image[61, 370], FrequencyGroup.frequent.plotColor, "tallest bar first, frequent colour")
    }
}
