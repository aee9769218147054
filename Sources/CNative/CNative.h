// The C libraries the tools use: OpenBLAS (cblas), libjpeg(-turbo), libpng and zlib.
//
// OpenBLAS is deliberately *not* linked: it picks its CPU kernels in a load-time
// constructor, before `main`, so SharedSupport opens it with dlopen() after choosing
// OPENBLAS_CORETYPE (see Sources/Shared/Support/Platform/BLASRuntime.swift). The cblas
// header is included only for its types and enums.
#ifndef CNATIVE_H
#define CNATIVE_H
#include <stdio.h>
#include <setjmp.h>
#include <cblas.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <zlib.h>
#endif
