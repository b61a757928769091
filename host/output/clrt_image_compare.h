/* How close two 8-bit pictures of one scene are, rendered two ways (a
 * device and the host reference, two devices or two OpenCL
 * implementations, a render and its golden image). The tolerance is
 * defined here once, for the bench and the tests: at most 0.1% of
 * channels differ by more than one level, and none by more than 4 (float
 * rounding differs between compilers and devices).
 *
 * A kernel built with --fast-math (-cl-fast-relaxed-math) may fuse and
 * reorder float arithmetic, so a ray that grazes a sphere may see another
 * one, and a path may take another random turn: its pictures are held to
 * clrt_images_agree_fast_math instead. */
#ifndef CLRT_IMAGE_COMPARE_H
#define CLRT_IMAGE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLRT_TOLERANCE_SMALL_DIFF 1
#define CLRT_TOLERANCE_MAX_DIFF 4
#define CLRT_TOLERANCE_LARGE_FRACTION 0.001

typedef struct clrt_image_difference {
  size_t channels;
  size_t large; /* channels off by more than CLRT_TOLERANCE_SMALL_DIFF */
  int worst;    /* the largest difference, in levels */
} clrt_image_difference;

clrt_image_difference clrt_image_compare(const uint8_t *a, const uint8_t *b, size_t channels);

bool clrt_image_within_tolerance(const clrt_image_difference *difference);

/* Under --fast-math: a picture whose samples average a fixed set of rays
 * (Whitted) has at most 0.1% of its channels off by more than one level,
 * by any amount (a grazing ray may see another sphere); a Monte Carlo
 * picture (`noisy`: the path integrator, where one changed decision changes
 * a whole sample) has every 16x16 block's mean within one level. When they
 * do not agree, says how in `why`. */
#define CLRT_FAST_MATH_BLOCK 16u
#define CLRT_FAST_MATH_BLOCK_MEAN 1.0
bool clrt_images_agree_fast_math(const uint8_t *a, const uint8_t *b, unsigned width, unsigned height, bool noisy,
                                 char *why, size_t size);

/* How near a picture is to a reference of the same scene (clrt
 * compare; the denoiser's quality): both as display values in [0, 1],
 * RGB, width * height * 3 (clrt_image_read_display).
 *
 * PSNR: 10 log10(1 / mean squared error) over every channel, in dB
 * (infinite for equal pictures). SSIM (Wang et al. 2004): the mean over
 * the picture of the structural similarity of the luma (Rec. 601) in a
 * Gaussian window of sigma 1.5 (11 taps; renormalised at the border),
 * with C1 = 0.01^2 and C2 = 0.03^2; 1 for equal pictures. */
double clrt_image_psnr(const float *reference, const float *image, size_t channels);
double clrt_image_ssim(const float *reference, const float *image, unsigned width, unsigned height);

/* "N of M channels off by more than 1 level, worst W". */
void clrt_image_difference_describe(const clrt_image_difference *difference, char *out, size_t size);

#endif /* CLRT_IMAGE_COMPARE_H */
