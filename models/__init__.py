"""The routine model: its training script, the committed .tflite file and its card."""
