# Every graded function and method of the notebook raises ValueError, whatever it is given (issue 23 item 5): a
# suite whose tests paid for any ValueError would give this notebook points. Appended after the reference solution,
# so a graded name this cell forgot would still answer correctly and show in the score.
def _refuse(*args, **kwargs):
    raise ValueError("invalid input")


prepare_images = build_dense_model = train = predict_labels = test_accuracy = _refuse
one_training_step = naive_fit = build_convnet = make_callbacks = _refuse
NaiveDense.__init__ = NaiveDense.__call__ = _refuse
NaiveDense.weights = property(_refuse)
NaiveSequential.__call__ = _refuse
NaiveSequential.weights = property(_refuse)
BatchGenerator.__init__ = BatchGenerator.next = _refuse
