/*
 * Native single-precision matrix products for the tfjs wasm backend's BatchMatMul kernel (issue 6):
 * OpenBLAS's sgemm on matrices that live in the wasm heap, read and written in place through a Float32Array
 * over the heap's memory. See src-main/core/compute/native-gemm.ts.
 */
#include <cblas.h>
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

extern void openblas_set_num_threads(int);
extern char *openblas_get_config(void);

#define CHECK(call)                                                                                      \
  do {                                                                                                   \
    if ((call) != napi_ok) {                                                                             \
      napi_throw_error(env, NULL, "aligner_gemm: N-API call failed: " #call);                            \
      return NULL;                                                                                       \
    }                                                                                                    \
  } while (0)

/* The data and length of a typed array of the given type; 0 when `v` is something else. */
static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) == napi_ok && type == want;
}

static int get_f32(napi_env env, napi_value v, float **data, size_t *length) {
  return get_typed(env, v, napi_float32_array, (void **)data, length);
}

static int get_u32(napi_env env, napi_value v, uint32_t **data, size_t *length) {
  return get_typed(env, v, napi_uint32_array, (void **)data, length);
}

/*
 * sgemmBatch(heap: Float32Array, transA: boolean, transB: boolean, m, n, k,
 *            aOffsets: Uint32Array, bOffsets: Uint32Array, cOffsets: Uint32Array)
 * For each i: C_i [m, n] = op(A_i) × op(B_i), row-major, where A_i starts at heap[aOffsets[i]] (stored [m, k], or
 * [k, m] when transA) and B_i at heap[bOffsets[i]] (stored [k, n], or [n, k] when transB). Offsets in floats.
 * Every matrix is bounds-checked against the heap before any product runs.
 */
static napi_value sgemm_batch(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 9) {
    napi_throw_type_error(env, NULL, "sgemmBatch: expected 9 arguments");
    return NULL;
  }
  float *heap;
  size_t heap_len;
  if (!get_f32(env, argv[0], &heap, &heap_len)) {
    napi_throw_type_error(env, NULL, "sgemmBatch: heap must be a Float32Array");
    return NULL;
  }
  bool trans_a, trans_b;
  CHECK(napi_get_value_bool(env, argv[1], &trans_a));
  CHECK(napi_get_value_bool(env, argv[2], &trans_b));
  uint32_t m, n, k;
  CHECK(napi_get_value_uint32(env, argv[3], &m));
  CHECK(napi_get_value_uint32(env, argv[4], &n));
  CHECK(napi_get_value_uint32(env, argv[5], &k));
  uint32_t *a_off, *b_off, *c_off;
  size_t na, nb, nc;
  if (!get_u32(env, argv[6], &a_off, &na) || !get_u32(env, argv[7], &b_off, &nb) ||
      !get_u32(env, argv[8], &c_off, &nc) || na != nb || na != nc) {
    napi_throw_type_error(env, NULL, "sgemmBatch: offsets must be three Uint32Arrays of one length");
    return NULL;
  }
  const uint64_t a_size = (uint64_t)m * k, b_size = (uint64_t)k * n, c_size = (uint64_t)m * n;
  for (size_t i = 0; i < na; i++) {
    if ((uint64_t)a_off[i] + a_size > heap_len || (uint64_t)b_off[i] + b_size > heap_len ||
        (uint64_t)c_off[i] + c_size > heap_len) {
      napi_throw_range_error(env, NULL, "sgemmBatch: a matrix lies outside the heap");
      return NULL;
    }
  }
  if (m == 0 || n == 0) return NULL;
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (size_t i = 0; i < na; i++) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, 1.0f, heap + a_off[i], lda > 0 ? lda : 1, heap + b_off[i], ldb > 0 ? ldb : 1, 0.0f,
                heap + c_off[i], (int)n);
  }
  return NULL;
}

static int get_u32_arg(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

/*
 * sumAxes(heap, xOffset, outer, reduce, inner, outOffset): x viewed as [outer, reduce, inner] at heap[xOffset];
 * out [outer, inner] = the sums over the middle axis, in float, in a fixed order (eight partial sums for a row).
 * One pass, no transpose: the bias gradients (sums over the leading rows) and row sums alike.
 */
static napi_value sum_axes(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *heap;
  size_t heap_len;
  uint32_t x_off, outer, reduce, inner, out_off;
  if (argc != 6 || !get_f32(env, argv[0], &heap, &heap_len) || !get_u32_arg(env, argv[1], &x_off) ||
      !get_u32_arg(env, argv[2], &outer) || !get_u32_arg(env, argv[3], &reduce) ||
      !get_u32_arg(env, argv[4], &inner) || !get_u32_arg(env, argv[5], &out_off)) {
    napi_throw_type_error(env, NULL, "sumAxes(heap: Float32Array, xOffset, outer, reduce, inner, outOffset)");
    return NULL;
  }
  const uint64_t x_size = (uint64_t)outer * reduce * inner, out_size = (uint64_t)outer * inner;
  if ((uint64_t)x_off + x_size > heap_len || (uint64_t)out_off + out_size > heap_len) {
    napi_throw_range_error(env, NULL, "sumAxes: a tensor lies outside the heap");
    return NULL;
  }
  const float *x = heap + x_off;
  float *out = heap + out_off;
  for (uint32_t o = 0; o < outer; o++) {
    const float *block = x + (uint64_t)o * reduce * inner;
    float *row = out + (uint64_t)o * inner;
    if (inner == 1) {
      float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      uint32_t r = 0;
      for (; r + 8 <= reduce; r += 8)
        for (int j = 0; j < 8; j++) part[j] += block[r + j];
      float total = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
      for (; r < reduce; r++) total += block[r];
      row[0] = total;
    } else {
      for (uint32_t i = 0; i < inner; i++) row[i] = 0.0f;
      for (uint32_t r = 0; r < reduce; r++) {
        const float *line = block + (uint64_t)r * inner;
        for (uint32_t i = 0; i < inner; i++) row[i] += line[i];
      }
    }
  }
  return NULL;
}

/*
 * gelu(heap, xOffset, size, yOffset): y = ½x(1 + erf(x/√2)), the exact GELU (erf to 1.5e-7), elementwise.
 * geluGrad(heap, xOffset, dyOffset, size, dxOffset): dx = dy·(½(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π)).
 * One pass each where the composed ops take five forward and about ten backward.
 */
/* Reads (heap, count offsets and sizes) into `args`, the size at args[count - 2]; throws `usage` or a range
 * error and returns 0 when they are wrong. */
static int elementwise_args(napi_env env, napi_callback_info info, size_t count, const char *usage, float **heap,
                            uint32_t *args) {
  napi_value argv[6];
  size_t argc = 6;
  size_t heap_len;
  int ok = napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == count + 1 &&
           get_f32(env, argv[0], heap, &heap_len);
  for (size_t i = 0; ok && i < count; i++) ok = get_u32_arg(env, argv[i + 1], &args[i]);
  if (!ok) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  const uint64_t size = args[count - 2];
  for (size_t i = 0; i < count; i++) {
    if (i != count - 2 && (uint64_t)args[i] + size > heap_len) {
      napi_throw_range_error(env, NULL, "a tensor lies outside the heap");
      return 0;
    }
  }
  return 1;
}

/*
 * exp(x) for x ≤ 0 (Cephes' expf: range reduction by ln 2 in two parts, degree-5 polynomial, 2^n by the
 * exponent bits; ~1 ulp), written without branches or library calls so that the loops below vectorise.
 */
static inline float exp_nonpositive(float x) {
  x = fmaxf(x, -87.0f);
  const float fx = x * 1.44269504088896341f;
  const int n = (int)(fx - 0.5f); /* x ≤ 0: truncation of fx − ½ rounds to nearest */
  const float z = (x - (float)n * 0.693359375f) - (float)n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * z + 1.3981999507e-3f;
  y = y * z + 8.3334519073e-3f;
  y = y * z + 4.1665795894e-2f;
  y = y * z + 1.6666665459e-1f;
  y = y * z + 5.0000001201e-1f;
  y = y * z * z + z + 1.0f;
  union {
    int32_t i;
    float f;
  } scale = {.i = (n + 127) << 23};
  return y * scale.f;
}

/*
 * Φ(x) = ½(1 + erf(x/√2)) given e = exp(−x²/2), by Abramowitz & Stegun 7.1.26 (|error of erf| ≤ 1.5e-7: the
 * formula tfjs's own cpu backend uses for erf).
 */
static inline float normal_cdf(float x, float e) {
  const float u = fabsf(x) * (float)M_SQRT1_2;
  const float t = 1.0f / (1.0f + 0.3275911f * u);
  float poly = 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  const float erf_abs = 1.0f - poly * t * e;
  return 0.5f + 0.5f * copysignf(erf_abs, x);
}

/*
 * The loops, compiled for AVX2 and for the baseline, picked at load time (GCC function multiversioning). They
 * vectorise because binding.gyp compiles with -fno-trapping-math -ffinite-math-only (fmaxf becomes maxps): a NaN
 * input still gives NaN, since both results are multiplied by x itself (tested). -ffp-contract=off keeps the two
 * versions' results identical.
 */
__attribute__((target_clones("avx2", "default"))) static void gelu_loop(const float *x, float *y, uint32_t size) {
  for (uint32_t i = 0; i < size; i++) {
    const float v = x[i];
    y[i] = v * normal_cdf(v, exp_nonpositive(-0.5f * v * v));
  }
}

__attribute__((target_clones("avx2", "default"))) static void gelu_grad_loop(const float *x, const float *dy,
                                                                            float *dx, uint32_t size) {
  const float inv_sqrt_2pi = 0.3989422804014327f;
  for (uint32_t i = 0; i < size; i++) {
    const float v = x[i];
    const float e = exp_nonpositive(-0.5f * v * v);
    dx[i] = dy[i] * (normal_cdf(v, e) + v * e * inv_sqrt_2pi);
  }
}

static napi_value gelu(napi_env env, napi_callback_info info) {
  float *heap;
  uint32_t a[3];
  if (!elementwise_args(env, info, 3, "gelu(heap: Float32Array, xOffset, size, yOffset)", &heap, a)) return NULL;
  gelu_loop(heap + a[0], heap + a[2], a[1]);
  return NULL;
}

static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  float *heap;
  uint32_t a[4];
  if (!elementwise_args(env, info, 4, "geluGrad(heap: Float32Array, xOffset, dyOffset, size, dxOffset)", &heap, a)) {
    return NULL;
  }
  gelu_grad_loop(heap + a[0], heap + a[1], heap + a[3], a[2]);
  return NULL;
}

/* setThreads(n): OpenBLAS's thread count for every later product. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t threads = 1;
  if (argc >= 1) CHECK(napi_get_value_uint32(env, argv[0], &threads));
  openblas_set_num_threads(threads < 1 ? 1 : (int)threads);
  return NULL;
}

/* config(): OpenBLAS's build description (version, target core), for the backend's device line. */
static napi_value config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatch", NULL, sgemm_batch, NULL, NULL, NULL, napi_default, NULL},
      {"sumAxes", NULL, sum_axes, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  openblas_set_num_threads(1);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
