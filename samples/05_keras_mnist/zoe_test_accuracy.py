def test_accuracy(model, data):
    """A correct alternative: model.evaluate and the compiled accuracy metric."""
    x = prepare_images(data["x_test"], flat=len(model.input_shape) == 2)
    return model.evaluate(x, np.asarray(data["y_test"]), verbose=0, return_dict=True)["accuracy"]
