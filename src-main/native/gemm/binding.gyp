{
  "targets": [
    {
      "target_name": "aligner_gemm",
      "sources": ["gemm.c"],
      "cflags": ["-O3", "-fno-trapping-math", "-ffinite-math-only", "-ffp-contract=off"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
