// C shim for libjpeg(-turbo) and libpng: their error handlers must longjmp, which Swift
// cannot do, so every call that can fail on bad data is wrapped here behind setjmp and
// returns a status code plus a message instead. Used only by SharedData/Image.
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H
#include <stddef.h>
#include <stdint.h>

/// Status of a codec call.
enum {
    CIC_OK = 0,
    /// The data is not a valid image (corrupt, unsupported, truncated); `message` says why.
    CIC_CORRUPT = 1,
    /// The image decoded but libjpeg warned (truncated file, corrupt entropy data).
    CIC_WARNING = 2,
    /// The JPEG is CMYK/YCCK (not converted; reported as its own kind of bad input).
    CIC_CMYK = 3,
    /// Out of memory or bad arguments.
    CIC_FAILED = 4,
    /// A JPEG libjpeg cannot turn into 8-bit RGB: 2 or 5+ components (no standard colour
    /// space), or samples of other than 8 bits; `message` says which.
    CIC_UNSUPPORTED = 5
};

/// Decoding and validating refuse progressive JPEGs with more scans than this (CIC_CORRUPT).
#define CIC_MAX_SCANS 500

typedef struct {
    int width;          // full-size width
    int height;         // full-size height
    int components;     // 1 grey, 3 colour, 4 CMYK/YCCK
    int isCMYK;         // 1 for CMYK or YCCK colour spaces
    int outputWidth;    // size after DCT scaling by scaleNumerator/8
    int outputHeight;
    char message[200];
} cic_jpeg_info;

/// Reads the JPEG header and the output size for DCT scaling by scaleNumerator/8
/// (1...8; 8 = full size). CIC_CMYK / CIC_UNSUPPORTED for JPEGs the decoder refuses, so a
/// caller learns it from the header alone.
int cic_jpeg_probe(const uint8_t *data, size_t size, int scaleNumerator, cic_jpeg_info *info);

/// Decodes to packed RGB (3 bytes per pixel) at DCT scale scaleNumerator/8 into `pixels`,
/// which holds info->outputWidth * info->outputHeight * 3 bytes (from cic_jpeg_probe).
/// `fast` selects the fast integer IDCT and no fancy upsampling.
int cic_jpeg_decode_rgb(const uint8_t *data, size_t size, int scaleNumerator, int fast,
                        uint8_t *pixels, int expectedWidth, int expectedHeight, char *message, size_t messageSize);

/// Checks a JPEG without producing pixels: header, then every scan entropy-decoded
/// (jpeg_read_coefficients), so corrupt and truncated files are caught at a fraction of the
/// cost of a full decode. CIC_WARNING for libjpeg warnings, CIC_CMYK for CMYK/YCCK.
int cic_jpeg_validate(const uint8_t *data, size_t size, char *message, size_t messageSize);

/// Encodes packed RGB to a baseline JPEG at `quality` (1...100). On success *output is a
/// malloc'ed buffer of *outputSize bytes that the caller releases with cic_free.
int cic_jpeg_encode_rgb(const uint8_t *pixels, int width, int height, int quality,
                        uint8_t **output, size_t *outputSize, char *message, size_t messageSize);

/// Reads a PNG's size (any colour type, bit depth, interlacing).
int cic_png_probe(const uint8_t *data, size_t size, int *width, int *height, char *message, size_t messageSize);

/// Decodes any PNG to packed 8-bit RGB: grey expanded, palette looked up, 16-bit reduced,
/// alpha composited over `background` (0xRRGGBB) in sRGB space: (c*a + bg*(255-a) + 127) / 255.
int cic_png_decode_rgb(const uint8_t *data, size_t size, uint32_t background,
                       uint8_t *pixels, int expectedWidth, int expectedHeight, char *message, size_t messageSize);

/// Encodes packed 8-bit RGB (channels 3) or RGBA (channels 4) to PNG. On success *output is
/// a malloc'ed buffer the caller releases with cic_free.
int cic_png_encode(const uint8_t *pixels, int width, int height, int channels,
                   uint8_t **output, size_t *outputSize, char *message, size_t messageSize);

void cic_free(void *pointer);

#endif
