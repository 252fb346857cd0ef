// descent/node: the parts that need Node (files, compression, terminals, processes). The core never imports these.
import '../index.js';

export { readIdx, readCsvDataset, writeFileAtomic, ensureDir } from './files.js';
export { saveSafetensors, loadSafetensors } from './safetensors-file.js';
export { exportOnnx } from './onnx-file.js';
export type { OnnxExportOptions } from '../onnx/index.js';
export { saveCheckpoint, loadCheckpoint, latestCheckpoint, recoverRunFolder, resumeFrom, checkpointCallback, checkpointName } from './checkpoint.js';
export { stopOnSignals } from './signals.js';
export { lockRunFolder, LOCK_FILE } from './run-lock.js';
export { FAULT_POINTS } from './fault.js';
export type { FaultPoint } from './fault.js';
export type { SaveCheckpointOptions, CheckpointCallbackOptions } from './checkpoint.js';
export { progressBar } from './progress.js';
export type { ProgressOptions } from './progress.js';
export { metricsLogger, chartSpecs, writeHtmlReport, writePngCharts, imageLogger } from './report.js';
export type { ReportRun, ReportOptions, ChartSpec, ReportImage, ImageLoggerOptions } from './report.js';
export { saveImage, imagePng } from './image.js';
export { encodePng, decodePng, crc32 } from './png.js';
export { readWav, writeWav } from './audio.js';
export * as datasets from './datasets.js';
export { downloadToPart } from './download.js';
export type { DownloadOptions } from './download.js';
export { readZip, readTar } from './archive.js';
export type { ArchiveMember } from './archive.js';
export { tune, gridConfigs, randomConfigs } from './tune.js';
export type { SearchSpace, TrialConfig, TrialResult, TuneOptions } from './tune.js';
