// Seeds of the image target made by our own encoders (RGB JPEG, RGB and RGBA PNG);
// scripts/fuzz/make_image_seeds.py adds grey, palette, 16-bit, interlaced, progressive
// and CMYK variants made with Pillow.
import SharedData

enum ImageSeeds {
    static var files: [Seed] {
        let image = ShardSeeds.gradient(width: 17, height: 9)
        var rgba: [UInt8] = []
        for index in 0..<(image.width * image.height) {
            rgba += image.pixels[(index * 3)..<(index * 3 + 3)] + [UInt8(index * 7 & 0xFF)]
        }
        return [
            Seed("gradient-q90.jpg", JPEGCodec.encode(image, quality: 90)),
            Seed("gradient-q20.jpg", JPEGCodec.encode(image, quality: 20)),
            Seed("one-pixel.jpg", JPEGCodec.encode(ShardSeeds.gradient(width: 1, height: 1), quality: 75)),
            Seed("gradient.png", PNGCodec.encode(image)),
            Seed("gradient-alpha.png", PNGCodec.encode(pixels: rgba, width: image.width, height: image.height, channels: 4)),
        ]
    }
}
