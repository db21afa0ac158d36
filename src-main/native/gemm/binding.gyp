{
  "targets": [
    {
      "target_name": "aligner_gemm",
      "sources": ["gemm.c"],
      "cflags": ["-O3"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
