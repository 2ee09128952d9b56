"""Frame sources: video files, image folders and live streams behind one `FrameSource` interface.

Every source yields `ingest.frames.Frame` records whose timestamps come from the video (start
time + PTS, file times, or the capture moment of a live frame), never from processing time.
"""

from ingest.backoff import Backoff
from ingest.errors import IngestError, SourceOpenError, StreamUnavailableError
from ingest.factory import open_source
from ingest.frame_queue import FrameQueue, ThreadedReader
from ingest.frames import Frame, Image
from ingest.image_folder import ImageFolderSource
from ingest.rate import FrameRateGate
from ingest.source import FrameSource
from ingest.stats import SourceStats
from ingest.stream import StreamSource
from ingest.video_file import VideoFileSource

__all__ = [
    "Backoff",
    "Frame",
    "FrameQueue",
    "FrameRateGate",
    "FrameSource",
    "Image",
    "ImageFolderSource",
    "IngestError",
    "SourceOpenError",
    "SourceStats",
    "StreamSource",
    "StreamUnavailableError",
    "ThreadedReader",
    "VideoFileSource",
    "open_source",
]
