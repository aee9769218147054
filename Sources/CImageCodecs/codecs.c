// libjpeg(-turbo) and libpng calls behind setjmp, so corrupt data becomes a status code and
// a message instead of a longjmp through Swift frames or an exit(). See CImageCodecs.h.
#include "CImageCodecs.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

// MARK: - JPEG error handling

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int warnings;
    char message[JMSG_LENGTH_MAX];
} cic_error_mgr;

static void cic_error_exit(j_common_ptr cinfo) {
    cic_error_mgr *err = (cic_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

static void cic_emit_message(j_common_ptr cinfo, int level) {
    cic_error_mgr *err = (cic_error_mgr *)cinfo->err;
    if (level < 0) {
        // A warning: corrupt entropy data, premature end of file. Keep the first text.
        if (err->warnings == 0) (*cinfo->err->format_message)(cinfo, err->message);
        err->warnings++;
    }
}

static void cic_copy(char *destination, size_t size, const char *text) {
    if (destination == NULL || size == 0) return;
    snprintf(destination, size, "%s", text);
}

static void cic_install_errors(struct jpeg_decompress_struct *cinfo, cic_error_mgr *err) {
    cinfo->err = jpeg_std_error(&err->base);
    err->base.error_exit = cic_error_exit;
    err->base.emit_message = cic_emit_message;
    err->warnings = 0;
    err->message[0] = 0;
}

static int cic_is_cmyk(const struct jpeg_decompress_struct *cinfo) {
    return cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
}

// After jpeg_read_header: CIC_OK when libjpeg can turn the image into 8-bit RGB (grey,
// YCbCr or RGB, 8-bit samples), else CIC_CMYK or CIC_UNSUPPORTED with `message` saying why.
// A JPEG with 2 (or 5+) components has no colour space JPEG defines (JFIF allows 1 or 3,
// Adobe 3 or 4): libjpeg reads it as JCS_UNKNOWN, which it can only hand out as raw
// components, never as RGB ("Unsupported color conversion request").
static int cic_check_supported(const struct jpeg_decompress_struct *cinfo, char *message, size_t messageSize) {
    if (cic_is_cmyk(cinfo)) { cic_copy(message, messageSize, "CMYK/YCCK JPEG"); return CIC_CMYK; }
    J_COLOR_SPACE space = cinfo->jpeg_color_space;
    if (space != JCS_GRAYSCALE && space != JCS_YCbCr && space != JCS_RGB) {
        snprintf(message, messageSize, "a %d-component JPEG of no standard colour space (e.g. grey + alpha): "
                 "libjpeg cannot convert it to RGB", cinfo->num_components);
        return CIC_UNSUPPORTED;
    }
    if (cinfo->data_precision != 8) {
        snprintf(message, messageSize, "a %d-bit JPEG: only 8-bit samples are decoded", cinfo->data_precision);
        return CIC_UNSUPPORTED;
    }
    return CIC_OK;
}

// Progressive JPEGs may hold any number of scans, and each one walks the whole image: a
// small file with thousands of scans costs minutes. Like libjpeg-turbo's TJFLAG_LIMITSCANS,
// more than CIC_MAX_SCANS scans is an error (real encoders write about 10).
typedef struct {
    struct jpeg_progress_mgr base;
    cic_error_mgr *err;
} cic_scan_limit;

static void cic_limit_scans(j_common_ptr cinfo) {
    cic_scan_limit *limit = (cic_scan_limit *)cinfo->progress;
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > CIC_MAX_SCANS) {
        snprintf(limit->err->message, sizeof(limit->err->message),
                 "more than %d progressive scans (real JPEGs have about 10)", CIC_MAX_SCANS);
        longjmp(limit->err->jump, 1);
    }
}

static void cic_install_scan_limit(struct jpeg_decompress_struct *cinfo, cic_scan_limit *limit, cic_error_mgr *err) {
    memset(limit, 0, sizeof(*limit));
    limit->base.progress_monitor = cic_limit_scans;
    limit->err = err;
    cinfo->progress = &limit->base;
}

int cic_jpeg_probe(const uint8_t *data, size_t size, int scaleNumerator, cic_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    cic_error_mgr err;
    memset(info, 0, sizeof(*info));
    if (data == NULL || size == 0) { cic_copy(info->message, sizeof(info->message), "empty file"); return CIC_CORRUPT; }
    cic_install_errors(&cinfo, &err);
    if (setjmp(err.jump)) {
        cic_copy(info->message, sizeof(info->message), err.message);
        jpeg_destroy_decompress(&cinfo);
        return CIC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = (int)cinfo.image_width;
    info->height = (int)cinfo.image_height;
    info->components = cinfo.num_components;
    info->isCMYK = cic_is_cmyk(&cinfo);
    int supported = cic_check_supported(&cinfo, info->message, sizeof(info->message));
    if (supported != CIC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return supported;
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = (unsigned)(scaleNumerator < 1 ? 1 : (scaleNumerator > 8 ? 8 : scaleNumerator));
    cinfo.scale_denom = 8;
    jpeg_calc_output_dimensions(&cinfo);
    info->outputWidth = (int)cinfo.output_width;
    info->outputHeight = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    return CIC_OK;
}

int cic_jpeg_decode_rgb(const uint8_t *data, size_t size, int scaleNumerator, int fast,
                        uint8_t *pixels, int expectedWidth, int expectedHeight, char *message, size_t messageSize) {
    struct jpeg_decompress_struct cinfo;
    cic_error_mgr err;
    cic_scan_limit limit;
    if (data == NULL || size == 0) { cic_copy(message, messageSize, "empty file"); return CIC_CORRUPT; }
    cic_install_errors(&cinfo, &err);
    if (setjmp(err.jump)) {
        cic_copy(message, messageSize, err.message);
        jpeg_destroy_decompress(&cinfo);
        return CIC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    cic_install_scan_limit(&cinfo, &limit, &err);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int supported = cic_check_supported(&cinfo, message, messageSize);
    if (supported != CIC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return supported;
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = (unsigned)(scaleNumerator < 1 ? 1 : (scaleNumerator > 8 ? 8 : scaleNumerator));
    cinfo.scale_denom = 8;
    if (fast) {
        cinfo.dct_method = JDCT_IFAST;
        cinfo.do_fancy_upsampling = FALSE;
    }
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_width != expectedWidth || (int)cinfo.output_height != expectedHeight
        || cinfo.output_components != 3) {
        cic_copy(message, messageSize, "decoder output size differs from the probed size");
        jpeg_destroy_decompress(&cinfo);
        return CIC_FAILED;
    }
    const size_t stride = (size_t)expectedWidth * 3;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (err.warnings > 0) {
        cic_copy(message, messageSize, err.message);
        return CIC_WARNING;
    }
    return CIC_OK;
}

int cic_jpeg_validate(const uint8_t *data, size_t size, char *message, size_t messageSize) {
    struct jpeg_decompress_struct cinfo;
    cic_error_mgr err;
    cic_scan_limit limit;
    if (data == NULL || size == 0) { cic_copy(message, messageSize, "empty file"); return CIC_CORRUPT; }
    cic_install_errors(&cinfo, &err);
    if (setjmp(err.jump)) {
        cic_copy(message, messageSize, err.message);
        jpeg_destroy_decompress(&cinfo);
        return CIC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    cic_install_scan_limit(&cinfo, &limit, &err);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int supported = cic_check_supported(&cinfo, message, messageSize);
    if (supported != CIC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return supported;
    }
    // Entropy-decodes every scan (where corrupt data and truncation show) without the
    // inverse DCT, upsampling or colour conversion.
    jpeg_read_coefficients(&cinfo);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (err.warnings > 0) {
        cic_copy(message, messageSize, err.message);
        return CIC_WARNING;
    }
    return CIC_OK;
}

int cic_jpeg_encode_rgb(const uint8_t *pixels, int width, int height, int quality,
                        uint8_t **output, size_t *outputSize, char *message, size_t messageSize) {
    struct jpeg_compress_struct cinfo;
    cic_error_mgr err;
    unsigned char *buffer = NULL;
    unsigned long bufferSize = 0;
    *output = NULL;
    *outputSize = 0;
    if (width <= 0 || height <= 0) { cic_copy(message, messageSize, "empty image"); return CIC_FAILED; }
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = cic_error_exit;
    err.base.emit_message = cic_emit_message;
    err.warnings = 0;
    if (setjmp(err.jump)) {
        cic_copy(message, messageSize, err.message);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return CIC_FAILED;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &bufferSize);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    const size_t stride = (size_t)width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *output = buffer;
    *outputSize = (size_t)bufferSize;
    return CIC_OK;
}

// MARK: - PNG (libpng's simplified API does its own setjmp)

int cic_png_probe(const uint8_t *data, size_t size, int *width, int *height, char *message, size_t messageSize) {
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        cic_copy(message, messageSize, image.message);
        png_image_free(&image);
        return CIC_CORRUPT;
    }
    *width = (int)image.width;
    *height = (int)image.height;
    png_image_free(&image);
    return CIC_OK;
}

// Full decode with the classic API (the simplified API treats 16-bit data without gAMA as
// linear light, which most 16-bit files are not): expand palette/grey/tRNS, scale 16-bit
// to 8-bit, then composite alpha over the background in sRGB space (as image tools do).
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
} cic_png_source;

static void cic_png_read(png_structp png, png_bytep out, png_size_t count) {
    cic_png_source *source = (cic_png_source *)png_get_io_ptr(png);
    if (source->size - source->offset < count) png_error(png, "Not enough image data (file truncated)");
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
}

static void cic_png_error(png_structp png, png_const_charp text) {
    char *message = (char *)png_get_error_ptr(png);
    if (message != NULL) snprintf(message, 200, "%s", text);
    png_longjmp(png, 1);
}

static void cic_png_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

int cic_png_decode_rgb(const uint8_t *data, size_t size, uint32_t background,
                       uint8_t *pixels, int expectedWidth, int expectedHeight, char *message, size_t messageSize) {
    char errorText[200] = "";
    cic_png_source source = { data, size, 0 };
    png_bytep *volatile rows = NULL;
    uint8_t *volatile rgba = NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, errorText, cic_png_error, cic_png_warning);
    if (png == NULL) { cic_copy(message, messageSize, "out of memory"); return CIC_FAILED; }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) { png_destroy_read_struct(&png, NULL, NULL); cic_copy(message, messageSize, "out of memory"); return CIC_FAILED; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(rgba);
        cic_copy(message, messageSize, errorText[0] ? errorText : "corrupt PNG");
        return CIC_CORRUPT;
    }
    png_set_read_fn(png, &source, cic_png_read);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if ((int)width != expectedWidth || (int)height != expectedHeight) png_error(png, "size differs from the probed size");
    int colorType = png_get_color_type(png, info);
    png_set_expand(png);                       // palette -> RGB, grey < 8 bit -> 8 bit, tRNS -> alpha
    png_set_scale_16(png);                     // 16 -> 8 bit, rounded
    if (colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);  // always RGBA
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 4) png_error(png, "unexpected row layout");
    rgba = (uint8_t *)malloc((size_t)width * height * 4);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (rgba == NULL || rows == NULL) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = rgba + (size_t)y * width * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    const int br = (int)((background >> 16) & 0xff), bg = (int)((background >> 8) & 0xff), bb = (int)(background & 0xff);
    const size_t count = (size_t)width * height;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *p = rgba + i * 4;
        const int a = p[3];
        uint8_t *q = pixels + i * 3;
        if (a == 255) { q[0] = p[0]; q[1] = p[1]; q[2] = p[2]; }
        else {
            q[0] = (uint8_t)((p[0] * a + br * (255 - a) + 127) / 255);
            q[1] = (uint8_t)((p[1] * a + bg * (255 - a) + 127) / 255);
            q[2] = (uint8_t)((p[2] * a + bb * (255 - a) + 127) / 255);
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    free(rgba);
    return CIC_OK;
}

int cic_png_encode(const uint8_t *pixels, int width, int height, int channels,
                   uint8_t **output, size_t *outputSize, char *message, size_t messageSize) {
    png_image image;
    *output = NULL;
    *outputSize = 0;
    if (width <= 0 || height <= 0 || (channels != 3 && channels != 4)) {
        cic_copy(message, messageSize, "bad image size or channel count");
        return CIC_FAILED;
    }
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    png_alloc_size_t needed = 0;
    if (!png_image_write_to_memory(&image, NULL, &needed, 0, pixels, width * channels, NULL)) {
        cic_copy(message, messageSize, image.message);
        return CIC_FAILED;
    }
    uint8_t *buffer = (uint8_t *)malloc(needed);
    if (buffer == NULL) { cic_copy(message, messageSize, "out of memory"); return CIC_FAILED; }
    if (!png_image_write_to_memory(&image, buffer, &needed, 0, pixels, width * channels, NULL)) {
        cic_copy(message, messageSize, image.message);
        free(buffer);
        return CIC_FAILED;
    }
    *output = buffer;
    *outputSize = (size_t)needed;
    return CIC_OK;
}

void cic_free(void *pointer) { free(pointer); }
