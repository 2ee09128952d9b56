"""Fine-tuning EasyOCR's english_g2 recogniser into a plate reader (A-Z, 0-9) on synthetic plates."""
