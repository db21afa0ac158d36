/** README.txt of a bundle: what the archive is and how to re-run it, for whoever unpacks it first. */
export function bundleReadme(studyName: string, images: number, runs: number): string {
  return `Reproducibility bundle of the study "${studyName}" (Aligner Workstation)

${runs} training runs over ${images} images. To re-run it on another workstation that holds the same image
files (imported into any sources, in any order):

    aligner study run --bundle THIS_FILE.tar.gz [--import-regions] [--json]

It checks that every image is there (by the SHA-256 of its file), that each source holds exactly the
bundle's images, that the labels and the training masks are the same, and that every run draws the same
training and aligned images; then it trains the runs and compares their results with the ones recorded here.
--import-regions adds the regions of regions.json to training images that have none yet.

Files
  bundle.json   format, app version, the study, sources, each run's seed, subset sizes and results, and the
                SHA-256 of every other file
  study.json    the study file (aligner study run study.json runs it again here)
  images.csv    image,source,split,label,mask_sha256: every image by the SHA-256 of its file (sha256sum of
                the file gives it), its source, split, label and the digest of its training mask
  subsets.csv   run,image,aligned: each run's training images (after the data ratio) and whether aligned
  regions.json  the training images' regions for the finding, in image pixel coordinates, readers as
                reader-1, reader-2, …

No patient names, ids, birth dates, UIDs or file names are in this archive.
`;
}
