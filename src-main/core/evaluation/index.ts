/** Evaluation: classification metrics, fairness gaps, bootstrap intervals and attention alignment (issue 7). */
export { ascendingOrder, rocAuc } from './auc';
export {
  classificationMetrics,
  confusionAt,
  metricNames,
  metricsFromConfusion,
  nullReasons,
  youdenThreshold,
  type Confusion,
  type GroupMetrics,
  type MetricName,
} from './classification';
export { meanStd, percentileInterval, quantileSorted } from './aggregate';
export {
  bootstrapMethod,
  fairnessReport,
  fairnessReportWith,
  type BootstrapRunner,
  gapNames,
  type FairnessIntervals,
  type FairnessOptions,
  type FairnessReport,
  type GapMetrics,
  type GapName,
  type GroupingAttribute,
  type Interval,
} from './fairness-report';
export {
  bootstrapThreads,
  parallelBootstrap,
  parallelMinWork,
  type ParallelBootstrapOptions,
} from './bootstrap-parallel';
export { parseDecimal, parsePredictionsCsv, type Predictions, type PredictionsCsvOptions } from './predictions-csv';
export {
  attentionPeak,
  hitRate,
  hitRateByGroup,
  pointingHit,
  upsampleBilinear,
  upsampledRows,
  type GroupedRate,
  type RateOptions,
  type RateSummary,
} from './pointing';
export {
  attentionIoU,
  attentionMask,
  attentionStatistics,
  meanIoU,
  otsuFromHistogram,
  otsuThreshold,
  type AttentionStatistics,
} from './attention-iou';
