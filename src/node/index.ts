// descent/node: the parts that need Node (files, compression, terminals, processes). The core never imports these.
import '../index.js';

export { readIdx, readCsvDataset, writeFileAtomic } from './files.js';
export { saveSafetensors, loadSafetensors } from './safetensors-file.js';
