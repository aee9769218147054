#!/usr/bin/env bash
# The first stage of the real-data recipes (pipelines/lvis_v1.mk, lvis_v0.5.mk, coco128.mk):
# checks that every input file is there; otherwise lists exactly what is missing and where
# to download it, and exits 1.
#
#   scripts/check-dataset.sh lvis-v1   LVIS_ROOT COCO_ROOT [PRETRAINED]
#   scripts/check-dataset.sh lvis-v0.5 LVIS_ROOT COCO_ROOT [PRETRAINED]
#   scripts/check-dataset.sh coco128   ANNOTATIONS.json IMAGE_DIR
#   scripts/check-dataset.sh released-lvis-v1 VAL.json "IMAGE_DIR ..." MODEL.pth=URL ...
#
# PRETRAINED (the r50-fpn preset's ImageNet ResNet-50, work/pretrained/resnet50.safetensors)
# is checked when given. CHECK_DATASET_TARGET names the make target in the messages (default
# pipeline-RECIPE; bench-prep sets its own).
set -euo pipefail

usage() { echo "usage: check-dataset.sh lvis-v1|lvis-v0.5 LVIS_ROOT COCO_ROOT [PRETRAINED] | coco128 JSON IMAGES | released-lvis-v1 VAL.json \"IMAGE_DIR ...\" MODEL.pth=URL ..." >&2; exit 64; }
[ $# -ge 3 ] || usage
recipe=$1
target=${CHECK_DATASET_TARGET:-pipeline-$recipe}
missing=()
models=()
need_file() { [ -s "$1" ] || missing+=("$1"); }
need_images() {
  # A folder that exists and holds at least one .jpg.
  if [ ! -d "$1" ] || [ -z "$(find "$1" -maxdepth 1 -name '*.jpg' -print -quit 2>/dev/null)" ]; then
    missing+=("$1/ (the .jpg images)")
  fi
}

case $recipe in
  lvis-v1|lvis-v0.5)
    lvis=${2%/}; coco=${3%/}; pretrained=${4:-}
    version=${recipe#lvis-}
    need_file "$lvis/annotations/lvis_${version}_train.json"
    need_file "$lvis/annotations/lvis_${version}_val.json"
    need_images "$coco/train2017"
    need_images "$coco/val2017"
    [ -z "$pretrained" ] || need_file "$pretrained"
    ;;
  coco128)
    json=$2; images=${3%/}
    need_file "$json"
    need_images "$images"
    ;;
  released-lvis-v1)
    json=$2; read -r -a image_dirs <<< "$3"; shift 3
    for model in "$@"; do
      [ -s "${model%%=*}" ] || { missing+=("${model%%=*}"); models+=("$model"); }
    done
    need_file "$json"
    for dir in "${image_dirs[@]}"; do need_images "${dir%/}"; done
    ;;
  *) usage ;;
esac

[ ${#missing[@]} -eq 0 ] && exit 0

{
  if [ "$recipe" = released-lvis-v1 ]; then echo "$target: files it needs are not there. Missing:"
  else echo "$target: the dataset is not there. Missing:"; fi
  for path in "${missing[@]}"; do echo "  $path"; done
  echo
  case $recipe in
    lvis-v1|lvis-v0.5)
      echo "Download (LVIS annotations CC BY 4.0, https://www.lvisdataset.org/dataset; COCO 2017 images, https://cocodataset.org/#download):"
      echo "  mkdir -p $lvis/annotations $coco"
      echo "  wget https://dl.fbaipublicfiles.com/LVIS/lvis_${version}_train.json.zip https://dl.fbaipublicfiles.com/LVIS/lvis_${version}_val.json.zip"
      echo "  unzip lvis_${version}_train.json.zip -d $lvis/annotations && unzip lvis_${version}_val.json.zip -d $lvis/annotations"
      echo "  wget http://images.cocodataset.org/zips/train2017.zip http://images.cocodataset.org/zips/val2017.zip"
      echo "  unzip train2017.zip -d $coco && unzip val2017.zip -d $coco"
      if [ "$recipe" = lvis-v1 ]; then
        echo "(LVIS v1 images are found through each image's coco_url: train2017/ and val2017/ are both needed.)"
      else
        echo "(LVIS v0.5 images are found by file_name, COCO_val2014_X.jpg -> X.jpg in train2017/ or val2017/.)"
      fi
      echo "Other places: make $target LVIS_ROOT=/path/to/lvis COCO_ROOT=/path/to/coco"
      if [ -n "$pretrained" ] && [ ! -s "$pretrained" ]; then
        echo
        echo "The r50-fpn preset starts from ImageNet ResNet-50 weights at $pretrained"
        echo "(pipelines/configs/r50-fpn.json, backbone.pretrained). Make them once, on any machine with PyTorch:"
        echo "  wget https://download.pytorch.org/models/resnet50-0676ba61.pth"
        echo "  pip install torch torchvision safetensors"
        echo "  python3 scripts/convert_torchvision_resnet50.py --input resnet50-0676ba61.pth --output $pretrained"
      fi
      ;;
    coco128)
      echo "coco128 is the first 128 COCO train2017 photos with their COCO instances json:"
      echo "annotations/instances_train2017.json and train2017/*.jpg, by default in ../shared/data/coco128 beside"
      echo "the repository. Download it (the public COCO128 package; COCO annotations CC BY 4.0, photos under"
      echo "the Flickr licences named per image in the json):"
      echo "  git clone --depth 1 https://github.com/developer0hye/COCO128 ../shared/data/coco128"
      echo "or make it from COCO 2017 (https://cocodataset.org/#download: annotations_trainval2017.zip and"
      echo "train2017.zip): the first 128 train2017 images by file name, with their entries of instances_train2017.json."
      echo "(Ultralytics' coco128.zip holds the same 128 images but YOLO text labels, not the COCO json.)"
      echo "Point the recipe at another copy with"
      echo "  make $target COCO128=/path/to/coco128"
      ;;
    released-lvis-v1)
      if [ ${#models[@]} -gt 0 ]; then
        echo "The released models (https://github.com/fcjian/LOCE, README \"Models\"): Google Drive links; download each"
        echo "(in a browser, or with a Drive client such as gdown) and save it under the name on the left:"
        for model in "${models[@]}"; do echo "  ${model%%=*}  ${model#*=}"; done
      fi
      if [ ! -s "$json" ]; then
        echo "LVIS v1 val annotations (CC BY 4.0, https://www.lvisdataset.org/dataset):"
        echo "  wget https://dl.fbaipublicfiles.com/LVIS/lvis_v1_val.json.zip && unzip lvis_v1_val.json.zip -d $(dirname "$json")"
      fi
      for path in "${missing[@]}"; do
        case $path in
          *"(the .jpg images)")
            echo "COCO 2017 images (https://cocodataset.org/#download); LVIS v1 val's images come from train2017/ and val2017/:"
            echo "  wget http://images.cocodataset.org/zips/train2017.zip http://images.cocodataset.org/zips/val2017.zip"
            echo "  unzip train2017.zip -d $(dirname "${image_dirs[0]%/}") && unzip val2017.zip -d $(dirname "${image_dirs[0]%/}")"
            break ;;
        esac
      done
      echo "Other places: make $target RELEASED_DIR=/path/to/models LVIS_ROOT=/path/to/lvis COCO_ROOT=/path/to/coco"
      ;;
  esac
} >&2
exit 1
