def test_accuracy(model, data):
    """The model's accuracy on the test split of data."""
    # mistake: evaluated on the training images
    return float(np.mean(predict_labels(model, data["x_train"]) == np.asarray(data["y_train"])))
